/**
 * The chat's browser client, on the official `phoenix` client: log in (or register), join
 * rooms (`room:<name>` channels), chat, page back through history, see who is here.
 *
 * One channel per joined room stays open, so switching rooms is instant and no message is
 * missed. Each room keeps its messages by id: a rejoin (after the socket reconnected, or the
 * channel crashed with its room) sends the last 50 again, and merging by id means nothing
 * shows twice and nothing is lost. Message text is only ever set as `textContent`: what users
 * type is shown, never run as HTML.
 */
import { type Channel, Presence, Socket } from 'phoenix'

interface ChatMessage {
  id: number
  user: string
  body: string
  inserted_at: string
}

interface Room {
  readonly name: string
  readonly channel: Channel
  readonly presence: Presence
  readonly messages: Map<number, ChatMessage>
  /** No older messages to load. */
  complete: boolean
}

const PAGE = 50
const ROOM_NAME = /^[a-z0-9_-]{1,32}$/
const SESSION = 'chat.session'
const ROOMS = 'chat.rooms'

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T
const loginForm = $<HTMLFormElement>('login')
const joinForm = $<HTMLFormElement>('join')
const sendForm = $<HTMLFormElement>('send')
const status = $('status')

let socket: Socket | undefined
const rooms = new Map<string, Room>()
let current: Room | undefined

// --- Logging in ----------------------------------------------------------------------------

loginForm.addEventListener('submit', async (event) => {
  event.preventDefault()
  const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null
  const register = submitter?.value === 'register'
  const data = new FormData(loginForm)
  const response = await fetch(register ? '/api/users' : '/api/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
  }).catch(() => undefined)
  const body = await response?.json().catch(() => ({}))
  if (response?.ok) return start(body)
  // 401 wrong password, 409 name taken, 422 invalid name or password: the server says which.
  $('login-error').textContent = response
    ? `${body?.error ?? 'failed'} (${response.status})`
    : 'cannot reach the server'
})

$('logout').addEventListener('click', () => {
  sessionStorage.clear()
  location.reload()
})

/** Connects with the session's token and rejoins the rooms of this session. */
function start(session: { token: string; username: string }): void {
  sessionStorage.setItem(SESSION, JSON.stringify(session))
  loginForm.hidden = true
  $('chat').hidden = false
  $('logout').hidden = false
  $('me').textContent = session.username
  socket = new Socket('/socket', { params: { token: session.token } })
  socket.onOpen(() => showStatus('online'))
  socket.onError(() => showStatus('error', 'connection error, retrying'))
  socket.onClose(() => showStatus('offline'))
  socket.connect()
  const saved: string[] = JSON.parse(sessionStorage.getItem(ROOMS) ?? '[]')
  for (const name of saved) joinRoom(name)
  if (saved.length > 0) show(rooms.get(saved[saved.length - 1]!)!)
}

function showStatus(state: string, text = state): void {
  status.dataset.state = state
  status.textContent = text
}

// --- Rooms ---------------------------------------------------------------------------------

joinForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const name = String(new FormData(joinForm).get('room')).trim()
  if (!ROOM_NAME.test(name)) {
    $('join-error').textContent = 'room names: 1 to 32 of a-z, 0-9, _ and -'
    return
  }
  $('join-error').textContent = ''
  joinForm.reset()
  show(rooms.get(name) ?? joinRoom(name))
})

function joinRoom(name: string): Room {
  const channel = socket!.channel(`room:${name}`)
  const room: Room = {
    name,
    channel,
    presence: new Presence(channel), // before the join: it must see `presence_state`
    messages: new Map(),
    complete: false,
  }
  rooms.set(name, room)
  sessionStorage.setItem(ROOMS, JSON.stringify([...rooms.keys()]))
  room.presence.onSync(() => {
    if (room === current) renderPresence()
  })
  channel.on('new_msg', (message: ChatMessage) => addMessages(room, [message]))
  channel
    .join()
    .receive('ok', ({ messages }: { messages: ChatMessage[] }) => {
      if (room.messages.size === 0 && messages.length < PAGE) room.complete = true
      addMessages(room, messages)
    })
    .receive('error', ({ reason }) => {
      if (room === current) $('join-error').textContent = `${name}: ${reason}`
    })
  renderRooms()
  return room
}

function show(room: Room): void {
  current = room
  $('room').hidden = false
  $('room-title').textContent = `#${room.name}`
  $('send-error').textContent = ''
  renderRooms()
  renderMessages(true)
  renderPresence()
  sendForm.body.focus()
}

$('older').addEventListener('click', () => {
  const room = current
  if (room === undefined || room.messages.size === 0) return
  const oldest = Math.min(...room.messages.keys())
  room.channel
    .push('history', { before_id: oldest })
    .receive('ok', ({ messages }: { messages: ChatMessage[] }) => {
      if (messages.length < PAGE) room.complete = true
      addMessages(room, messages, false)
    })
})

// --- Sending -------------------------------------------------------------------------------

sendForm.addEventListener('submit', (event) => {
  event.preventDefault() // Enter in the input submits the form
  const input = sendForm.body as HTMLInputElement
  const body = input.value
  if (current === undefined || body.trim() === '') return
  const error = $('send-error')
  current.channel
    .push('new_msg', { body })
    .receive('ok', () => {
      if (input.value === body) input.value = ''
      error.textContent = ''
    })
    .receive('error', ({ reason, retry_after_ms }) => {
      error.textContent =
        reason === 'rate_limited'
          ? `rate_limited: slow down, try again in ${Math.ceil(retry_after_ms / 1000)} s`
          : `not sent: ${reason}`
    })
    .receive('timeout', () => {
      error.textContent = 'no answer from the server: the message may not have been sent'
    })
})

// --- Drawing -------------------------------------------------------------------------------

function addMessages(room: Room, messages: ChatMessage[], scroll = true): void {
  for (const message of messages) room.messages.set(message.id, message)
  if (room === current) renderMessages(scroll)
}

function renderRooms(): void {
  const list = $('rooms')
  list.replaceChildren(
    ...[...rooms.values()].map((room) => {
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = `#${room.name}`
      button.setAttribute('aria-current', String(room === current))
      button.addEventListener('click', () => show(room))
      const item = document.createElement('li')
      item.append(button)
      return item
    }),
  )
}

function renderMessages(scroll: boolean): void {
  const list = $('messages')
  const room = current!
  const sorted = [...room.messages.values()].sort((a, b) => a.id - b.id)
  list.replaceChildren(
    ...sorted.map((message) => {
      const item = document.createElement('li')
      item.dataset.id = String(message.id)
      const user = document.createElement('span')
      user.className = 'user'
      user.textContent = message.user
      const body = document.createElement('span')
      body.className = 'body'
      body.textContent = message.body // text, never HTML
      const time = document.createElement('time')
      time.dateTime = message.inserted_at
      time.textContent = new Date(message.inserted_at).toLocaleTimeString()
      item.append(user, body, time)
      return item
    }),
  )
  $<HTMLButtonElement>('older').disabled = room.complete
  if (scroll) list.scrollTop = list.scrollHeight
}

function renderPresence(): void {
  const users = current?.presence.list((user: string) => user) ?? []
  $('presence').replaceChildren(
    ...users.sort().map((user) => {
      const item = document.createElement('li')
      item.textContent = user
      return item
    }),
  )
}

// --- Start ---------------------------------------------------------------------------------

const saved = sessionStorage.getItem(SESSION)
if (saved !== null) start(JSON.parse(saved))
