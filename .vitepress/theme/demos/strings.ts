/**
 * Every word the live demos show, in English and Korean, as the exercise panel does it
 * (panel/components/strings.ts): the page's language (`useData().lang`) picks the set, so the
 * Korean chapters reuse the same components. Runtime values (pids, strategy names, exit
 * reasons, the cluster's trace) are shown as the runtime gives them, in every language.
 */
import type { Locale } from '../panel/contract.ts'

/** What all three demos share: starting up, and the clock of the demos that have one. */
export interface CommonStrings {
  readonly start: string
  readonly loading: string
  readonly couldNotStart: string
  readonly letOneSecondPass: string
  readonly clock: (seconds: number) => string
  /** The time stamp of a log line. */
  readonly seconds: (seconds: number) => string
}

/** Chapter 4: the supervision tree (SupervisionTreeDemo.vue and supervision-scenario.ts). */
export interface SupervisionStrings {
  readonly label: string
  readonly title: string
  /** Before and after `<code>workers</code>` in the settings' legend. */
  readonly legend: readonly [string, string]
  readonly treeLabel: string
  readonly crash: (id: string) => string
  readonly crashLabel: (id: string, pid: string) => string
  readonly notRunning: string
  readonly restarts: (recent: number, max: number, seconds: number) => string
  readonly figureHint: string
  /** Before and after `<code>root</code>` in the message shown once the tree has stopped. */
  readonly treeStopped: readonly [string, string]
  readonly newTree: string
  readonly logLabel: string
  // Log lines, written by the scenario from telemetry events.
  readonly logRootStarts: (strategy: string, maxRestarts: number, maxSeconds: number) => string
  readonly logNotRunning: (id: string) => string
  readonly logStarts: (name: string, pid: string) => string
  readonly logCrashed: (name: string, message: string) => string
  readonly logExits: (name: string, reason: string) => string
  readonly logRestarts: (supervisor: string, child: string, strategy: string) => string
  readonly logGivesUp: (supervisor: string, maxRestarts: number, maxSeconds: number) => string
  readonly aProcess: string
}

/** Chapter 3: the message flow (MessageFlowDemo.vue, message-flow-scenario.ts, sequence.ts). */
export interface FlowStrings {
  readonly label: string
  readonly title: string
  readonly slowButton: string
  readonly newServer: string
  readonly clear: string
  readonly client: string
  readonly server: string
  readonly notRunning: string
  readonly diagramLabel: string
  readonly figureHint: string
  readonly listLabel: string
  readonly describeArrow: (from: string, to: string, label: string) => string
  // Diagram rows; `call`, `cast`, `send` and `reply` stay as the API names them.
  readonly slowRequest: (seconds: number) => string
  readonly noReply: (error: string, seconds: number) => string
  readonly noServer: (error: string) => string
  readonly serverExited: (error: string) => string
  readonly lateReplyDropped: (value: string) => string
  readonly exits: (reason: string) => string
  readonly startsAs: (pid: string) => string
}

/** Chapter 8: the cluster (ClusterDemo.vue). */
export interface ClusterStrings {
  readonly label: string
  readonly title: string
  readonly nobodyKnows: string
  readonly agree: (where: string) => string
  readonly says: (who: readonly string[], where: string) => string
  readonly disagree: (parts: readonly string[]) => string
  readonly nowhere: string
  readonly crashed: string
  readonly knowsNone: string
  readonly seesOn: (where: string) => string
  readonly seesShort: (where: string) => string
  readonly singleton: string
  readonly runsAs: (pids: string) => string
  /** Before and after `<code>singleton</code>` in the figure's caption. */
  readonly figureHint: readonly [string, string]
  readonly cutOff: (node: string) => string
  readonly crash: (node: string) => string
  readonly restart: (node: string) => string
  readonly heal: string
  readonly logLabel: string
}

export interface DemoStrings {
  readonly common: CommonStrings
  readonly supervision: SupervisionStrings
  readonly flow: FlowStrings
  readonly cluster: ClusterStrings
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

const en: DemoStrings = {
  common: {
    start: 'Start the demo',
    loading: 'Loading the runtime…',
    couldNotStart: 'The demo could not start:',
    letOneSecondPass: 'Let 1 s pass',
    clock: (seconds) => `clock: ${seconds} s`,
    seconds: (seconds) => `${seconds} s`,
  },
  supervision: {
    label: 'Live demo: a supervision tree',
    title: 'Live demo: crash a worker',
    legend: ['The ', ' supervisor'],
    treeLabel: 'The supervision tree; click a worker to crash it',
    crash: (id) => `Crash ${id}`,
    crashLabel: (id, pid) => `Crash ${id} (${pid})`,
    notRunning: 'not running',
    restarts: (recent, max, seconds) => `restarts ${recent} of ${max} in ${seconds} s`,
    figureHint:
      'Numbers: the order in which processes started in the last step. Dashed: not running.',
    treeStopped: [
      'The whole tree has stopped: ',
      ' gave up too, and there is no supervisor above it. In an application this is where the application stops (chapter 5).',
    ],
    newTree: 'Start a new tree',
    logLabel: 'What happened',
    logRootStarts: (strategy, max, seconds) =>
      `root starts; workers uses ${strategy}, at most ${plural(max, 'restart')} in ${seconds} s`,
    logNotRunning: (id) => `${id} is not running`,
    logStarts: (name, pid) => `${name} starts as ${pid}`,
    logCrashed: (name, message) => `${name} crashed: ${message}`,
    logExits: (name, reason) => `${name} exits: ${reason}`,
    logRestarts: (supervisor, child, strategy) => `${supervisor} restarts ${child} (${strategy})`,
    logGivesUp: (supervisor, max, seconds) =>
      `${supervisor} gives up: more than ${plural(max, 'restart')} in ${seconds} s`,
    aProcess: 'a process',
  },
  flow: {
    label: 'Live demo: messages to a GenServer',
    title: 'Live demo: call, cast and everything else',
    slowButton: "call 'slow' (1 s timeout)",
    newServer: 'Start a new server',
    clear: 'Clear',
    client: 'client',
    server: 'server',
    notRunning: 'not running',
    diagramLabel: 'Sequence diagram of the messages; the list below says the same',
    figureHint:
      'Time runs down. Bars: the client waiting in a call, the server running a callback.',
    listLabel: 'The messages, in order',
    describeArrow: (from, to, label) => `${from} to ${to}: ${label}`,
    slowRequest: (seconds) => `'slow' (timeout ${seconds} s)`,
    noReply: (error, seconds) => `${error}: no reply in ${seconds} s`,
    noServer: (error) => `${error}: no server, nothing sent`,
    serverExited: (error) => `${error}: the server exited`,
    lateReplyDropped: (value) => `late reply ${value}: dropped`,
    exits: (reason) => `exits: ${reason}`,
    startsAs: (pid) => `starts as ${pid}`,
  },
  cluster: {
    label: 'Live demo: a cluster with a global name',
    title: 'Live demo: partition and failover',
    nobodyKnows: 'No node knows of a singleton right now.',
    agree: (where) => `Every running node agrees: singleton runs on ${where}.`,
    says: (who, where) => `${who.join(' and ')} ${who.length > 1 ? 'say' : 'says'} ${where}`,
    disagree: (parts) => `The nodes disagree (split brain): ${parts.join('; ')}.`,
    nowhere: 'nowhere',
    crashed: 'crashed',
    knowsNone: 'knows no singleton',
    seesOn: (where) => `sees singleton on ${where}`,
    seesShort: (where) => `sees ${where}`,
    singleton: '★ singleton',
    runsAs: (pids) => ` · ★ runs it as ${pids}`,
    figureHint: [
      'Lines: connections between nodes (✕: cut). ★: a singleton runs on that node. "sees": where that node\'s copy of the global name table says ',
      ' runs.',
    ],
    cutOff: (node) => `Cut off ${node}`,
    crash: (node) => `Crash ${node}`,
    restart: (node) => `Restart ${node}`,
    heal: 'Heal the network',
    logLabel: "The cluster's trace",
  },
}

const ko: DemoStrings = {
  common: {
    start: '데모 시작',
    loading: '런타임을 불러오는 중…',
    couldNotStart: '데모를 시작하지 못했습니다:',
    letOneSecondPass: '1초 흘려보내기',
    clock: (seconds) => `시계: ${seconds}초`,
    seconds: (seconds) => `${seconds}초`,
  },
  supervision: {
    label: '라이브 데모: 감독 트리',
    title: '라이브 데모: 워커 크래시시키기',
    legend: ['', ' 슈퍼바이저'],
    treeLabel: '감독 트리입니다. 워커를 클릭하면 크래시합니다',
    crash: (id) => `${id} 크래시`,
    crashLabel: (id, pid) => `${id} 크래시 (${pid})`,
    notRunning: '실행 중 아님',
    restarts: (recent, max, seconds) => `${seconds}초에 재시작 ${recent}/${max}회`,
    figureHint: '숫자: 마지막 단계에서 프로세스가 시작된 순서. 점선: 실행 중이 아님.',
    treeStopped: [
      '트리 전체가 멈췄습니다. ',
      '도 포기했고, 그 위에는 슈퍼바이저가 없습니다. 애플리케이션이라면 여기서 애플리케이션이 멈춥니다(5장).',
    ],
    newTree: '새 트리 시작',
    logLabel: '일어난 일',
    logRootStarts: (strategy, max, seconds) =>
      `root 시작. workers는 ${strategy}, ${seconds}초에 재시작 최대 ${max}회`,
    logNotRunning: (id) => `${id}: 실행 중이 아님`,
    logStarts: (name, pid) => `${name} 시작: ${pid}`,
    logCrashed: (name, message) => `${name} 크래시: ${message}`,
    logExits: (name, reason) => `${name} 종료: ${reason}`,
    logRestarts: (supervisor, child, strategy) => `${supervisor}: ${child} 재시작 (${strategy})`,
    logGivesUp: (supervisor, max, seconds) =>
      `${supervisor} 포기: ${seconds}초에 재시작이 ${max}회를 넘음`,
    aProcess: '어떤 프로세스',
  },
  flow: {
    label: '라이브 데모: GenServer로 가는 메시지',
    title: '라이브 데모: call, cast, 그리고 그 밖의 모든 것',
    slowButton: "call 'slow' (타임아웃 1초)",
    newServer: '새 서버 시작',
    clear: '지우기',
    client: '클라이언트',
    server: '서버',
    notRunning: '실행 중 아님',
    diagramLabel: '메시지의 시퀀스 다이어그램입니다. 아래 목록도 같은 내용입니다',
    figureHint:
      '시간은 위에서 아래로 흐릅니다. 막대: call에서 기다리는 클라이언트, 콜백을 실행하는 서버.',
    listLabel: '순서대로 본 메시지',
    describeArrow: (from, to, label) => `${from} → ${to}: ${label}`,
    slowRequest: (seconds) => `'slow' (타임아웃 ${seconds}초)`,
    noReply: (error, seconds) => `${error}: ${seconds}초 안에 응답 없음`,
    noServer: (error) => `${error}: 서버가 없어 아무것도 보내지 않음`,
    serverExited: (error) => `${error}: 서버가 종료됨`,
    lateReplyDropped: (value) => `늦은 reply ${value}: 버려짐`,
    exits: (reason) => `종료: ${reason}`,
    startsAs: (pid) => `시작: ${pid}`,
  },
  cluster: {
    label: '라이브 데모: 전역 이름이 있는 클러스터',
    title: '라이브 데모: 분할과 페일오버',
    nobodyKnows: '지금은 싱글턴을 아는 노드가 없습니다.',
    agree: (where) => `실행 중인 모든 노드가 동의합니다: singleton은 ${where}에서 돕니다.`,
    says: (who, where) => `${who.join('·')}는 ${where}라고 봄`,
    disagree: (parts) => `노드들의 의견이 갈립니다(스플릿 브레인). ${parts.join('; ')}.`,
    nowhere: '없음',
    crashed: '크래시함',
    knowsNone: '아는 싱글턴 없음',
    seesOn: (where) => `싱글턴이 ${where}에 있다고 봄`,
    seesShort: (where) => `보기: ${where}`,
    singleton: '★ 싱글턴',
    runsAs: (pids) => ` · ★ ${pids}로 실행 중`,
    figureHint: [
      '선: 노드 사이의 연결(✕: 끊김). ★: 그 노드에서 싱글턴이 돕니다. "보기": 그 노드가 가진 전역 이름 테이블 사본이 말하는 ',
      '의 위치.',
    ],
    cutOff: (node) => `${node} 끊기`,
    crash: (node) => `${node} 크래시`,
    restart: (node) => `${node} 재시작`,
    heal: '네트워크 복구',
    logLabel: '클러스터의 트레이스',
  },
}

/** `'ko'` for any Korean tag (`ko`, `ko-KR`), else `'en'`. */
export function localeOf(lang: string | undefined): Locale {
  return lang?.toLowerCase().startsWith('ko') ? 'ko' : 'en'
}

export function demoStrings(locale: Locale = 'en'): DemoStrings {
  return locale === 'ko' ? ko : en
}
