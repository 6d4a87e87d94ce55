# The workloads on the BEAM, with plain Elixir/OTP: `elixir bench/peers/beam.exs WORKLOAD [--quick]`.
# Prints one JSON line, like the Node scripts. The sizes repeat bench/shared.ts: keep them equal.
#
# Differences that follow from the BEAM itself: processes run on every core at once (one
# scheduler per core) and are preempted, so there is no event loop to stall; "stall" here is the
# longest a process waiting on a 1 ms `receive ... after` woke late. Memory per process is
# `:erlang.memory(:processes)` after minus before, divided by the count.

defmodule Bench do
  @quick "--quick" in System.argv()

  def size(:spawn), do: if(@quick, do: 10_000, else: 100_000)
  def size(:ping_pong), do: if(@quick, do: 100_000, else: 1_000_000)
  def size(:call), do: if(@quick, do: 20_000, else: 200_000)
  def size(:fan_out), do: if(@quick, do: {1_000, 5}, else: {10_000, 20})
  def size(:restart), do: if(@quick, do: 100, else: 1_000)
  def size(:registry), do: if(@quick, do: {1_000, 100_000}, else: {10_000, 1_000_000})
  def size(:dynamic_supervisor), do: if(@quick, do: 1_000, else: 10_000)

  def now_ms, do: :erlang.monotonic_time(:nanosecond) / 1.0e6

  def median(values) do
    sorted = Enum.sort(values)
    n = length(sorted)
    mid = div(n, 2)

    if rem(n, 2) == 1,
      do: Enum.at(sorted, mid),
      else: (Enum.at(sorted, mid - 1) + Enum.at(sorted, mid)) / 2
  end

  # Minimal JSON for a flat map of numbers.
  def report(map) do
    fields = Enum.map_join(map, ",", fn {key, value} -> ~s("#{key}":#{value}) end)
    IO.puts("{#{fields}}")
  end

  # --- spawn ---------------------------------------------------------------------------------

  def spawn_idle do
    count = size(:spawn)
    parent = self()
    waiting = :atomics.new(1, [])
    before = :erlang.memory(:processes)
    start = now_ms()

    pids =
      for _ <- 1..count do
        spawn(fn ->
          if :atomics.add_get(waiting, 1, 1) == count, do: send(parent, :all_waiting)
          receive do: (_ -> :ok)
        end)
      end

    receive do: (:all_waiting -> :ok)
    ms = now_ms() - start
    bytes = (:erlang.memory(:processes) - before) / count
    if length(pids) != count, do: raise("processes are missing")
    %{processes: count, ms: ms, bytesPerProcess: bytes}
  end

  # --- ping-pong -----------------------------------------------------------------------------

  def ping_pong do
    messages = size(:ping_pong)
    watcher = start_stall_watcher()

    pong =
      spawn(fn ->
        pong_loop = fn loop ->
          receive do
            {from, n} -> send(from, {self(), n})
          end

          loop.(loop)
        end

        pong_loop.(pong_loop)
      end)

    start = now_ms()
    for i <- 1..div(messages, 2), do: (send(pong, {self(), i}); receive do: ({^pong, ^i} -> :ok))
    ms = now_ms() - start
    %{messages: messages, messagesPerSecond: messages / ms * 1000, maxStallMs: stop_stall_watcher(watcher)}
  end

  defp start_stall_watcher do
    spawn(fn -> stall_loop(0.0) end)
  end

  defp stall_loop(worst) do
    before = now_ms()

    receive do
      {:stop, from} -> send(from, {:stall, worst})
    after
      1 -> stall_loop(max(worst, now_ms() - before - 1))
    end
  end

  defp stop_stall_watcher(watcher) do
    send(watcher, {:stop, self()})
    receive do: ({:stall, worst} -> worst)
  end

  # --- call ----------------------------------------------------------------------------------

  defmodule Echo do
    use GenServer
    def init(state), do: {:ok, state}
    def handle_call(request, _from, state), do: {:reply, request, state}
  end

  def call do
    calls = size(:call)
    {:ok, server} = GenServer.start(Echo, nil)
    start = now_ms()
    for i <- 1..calls, do: (^i = GenServer.call(server, i))
    ms = now_ms() - start
    %{calls: calls, callsPerSecond: calls / ms * 1000}
  end

  # --- fan-out -------------------------------------------------------------------------------

  def fan_out do
    {processes, rounds} = size(:fan_out)

    workers =
      for _ <- 1..processes do
        spawn(fn -> echo_loop() end)
      end

    times =
      for _ <- 1..rounds do
        start = now_ms()
        for worker <- workers, do: send(worker, self())
        for _ <- 1..processes, do: (receive do: (:done -> :ok))
        now_ms() - start
      end

    %{processes: processes, rounds: rounds, msPerRound: median(times)}
  end

  defp echo_loop do
    receive do: (from -> send(from, :done))
    echo_loop()
  end

  # --- restart -------------------------------------------------------------------------------

  defmodule Child do
    use GenServer
    def start_link(watcher), do: GenServer.start_link(__MODULE__, watcher, name: BenchChild)

    def init(watcher) do
      send(watcher, {:started, self()})
      {:ok, nil}
    end
  end

  def restart do
    kills = size(:restart)
    children = [{Child, self()}]
    {:ok, _} = Supervisor.start_link(children, strategy: :one_for_one, max_restarts: kills + 1, max_seconds: 3600)
    first = receive do: ({:started, pid} -> pid)

    {latencies, _} =
      Enum.map_reduce(1..kills, first, fn _, child ->
        start = now_ms()
        Process.exit(child, :kill)
        restarted = receive do: ({:started, pid} -> pid)
        if Process.whereis(BenchChild) != restarted, do: raise("not registered")
        {(now_ms() - start) * 1000, restarted}
      end)

    %{kills: kills, medianMicroseconds: median(latencies)}
  end

  # --- registry ------------------------------------------------------------------------------

  def registry do
    {count, lookups} = size(:registry)
    {:ok, _} = Registry.start_link(keys: :unique, name: BenchRegistry)
    keys = List.to_tuple(for i <- 0..(count - 1), do: "worker-#{i}")
    parent = self()

    pids =
      List.to_tuple(
        for i <- 0..(count - 1) do
          spawn(fn ->
            {:ok, _} = Registry.register(BenchRegistry, elem(keys, i), nil)
            send(parent, :registered)
            receive do: (_ -> :ok)
          end)
        end
      )

    for _ <- 1..count, do: (receive do: (:registered -> :ok))
    start = now_ms()

    for i <- 0..(lookups - 1) do
      k = rem(i, count)
      [{pid, _}] = Registry.lookup(BenchRegistry, elem(keys, k))
      if pid != elem(pids, k), do: raise("wrong pid")
    end

    ms = now_ms() - start
    %{keys: count, lookups: lookups, lookupsPerSecond: lookups / ms * 1000}
  end

  # --- dynamic supervisor --------------------------------------------------------------------

  defmodule Worker do
    use GenServer
    def start_link(_), do: GenServer.start_link(__MODULE__, nil)
    def init(nil), do: {:ok, nil}
  end

  def dynamic_supervisor do
    children = size(:dynamic_supervisor)
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    start = now_ms()
    for _ <- 1..children, do: ({:ok, _} = DynamicSupervisor.start_child(sup, Worker))
    ms = now_ms() - start
    %{active: ^children} = DynamicSupervisor.count_children(sup)
    %{children: children, ms: ms}
  end
end

case System.argv() |> List.first() do
  "spawn" -> Bench.spawn_idle()
  "ping-pong" -> Bench.ping_pong()
  "call" -> Bench.call()
  "fan-out" -> Bench.fan_out()
  "restart" -> Bench.restart()
  "registry" -> Bench.registry()
  "dynamic-supervisor" -> Bench.dynamic_supervisor()
  other -> raise "Unknown workload #{inspect(other)}"
end
|> Bench.report()
