/**
 * Every word the exercise panel shows, in English and Korean. The page's language
 * (`useData().lang`: `en-US`, `ko`, `ko-KR`…) picks the set, so the Korean pages reuse the same
 * components with the same props.
 */
import type { Locale } from '../contract.ts'

export interface Strings {
  readonly solveHere: string
  readonly solveHereNote: string
  readonly openEditor: string
  readonly solved: string
  readonly loading: string
  readonly loadFailed: string
  readonly run: string
  readonly running: string
  readonly results: string
  readonly allGreen: string
  readonly someRed: (failed: number, total: number) => string
  readonly notRun: string
  readonly couldNotRun: string
  readonly task: (n: number | null) => string
  readonly tests: string
  readonly readOnly: string
  readonly hints: string
  readonly showHint: (n: number, of: number) => string
  readonly noMoreHints: string
  readonly solution: string
  readonly showSolution: string
  readonly hideSolution: string
  readonly solutionLocked: string
  readonly solutionIntro: string
  readonly stackblitz: string
  readonly openStackBlitz: string
  readonly embedStackBlitz: string
  readonly embedUnsupported: string
  readonly stackblitzNote: string
  readonly notInBrowser: (reason: string) => string
  readonly cli: (number: string) => string
  readonly yourCode: string
  readonly resetExercise: string
  readonly resetExerciseConfirm: string
  readonly resetAll: string
  readonly resetAllConfirm: string
  readonly exportProgress: string
  readonly importProgress: string
  readonly imported: (count: number) => string
  readonly importFailed: (why: string) => string
  readonly progressTitle: string
  readonly stateSolved: string
  readonly stateStarted: string
  readonly stateNew: string
  readonly solvedCount: (solved: number, total: number) => string
}

const en: Strings = {
  solveHere: 'Solve it here',
  solveHereNote: 'An editor and the tests, in this page. Your code stays in this browser.',
  openEditor: 'Open the editor',
  solved: 'Solved',
  loading: 'Loading the editor and the tests…',
  loadFailed: 'The exercise could not be loaded:',
  run: 'Run the tests',
  running: 'Running…',
  results: 'Results',
  allGreen: 'Every test passes. Exercise solved!',
  someRed: (failed, total) => `${failed} of ${total} tests fail.`,
  notRun: 'Run the tests to see which tasks pass.',
  couldNotRun: 'The code could not run:',
  task: (n) => (n === null ? 'Other tests' : `Task ${n}`),
  tests: 'tests',
  readOnly: 'read-only',
  hints: 'Hints',
  showHint: (n, of) => `Show hint ${n} of ${of}`,
  noMoreHints: 'That was the last hint.',
  solution: 'Solution',
  showSolution: 'Compare with the solution',
  hideSolution: 'Hide the solution',
  solutionLocked: 'Run the tests once to unlock the solution.',
  solutionIntro: 'The reference solution, as changes to your code (red: yours, green: solution).',
  stackblitz: 'StackBlitz',
  openStackBlitz: 'Open in StackBlitz',
  embedStackBlitz: 'Embed StackBlitz here',
  embedUnsupported:
    'StackBlitz runs Node in the page only in Chromium-based browsers (Chrome, Edge…). Open it in a new tab instead.',
  stackblitzNote: 'A full Node project with your current code: run `npm test` in its terminal.',
  notInBrowser: (reason) => `These tests cannot run in the browser: ${reason}`,
  cli: (number) => `Or in the repository: npm run exercise -- ${number}`,
  yourCode: 'Your code',
  resetExercise: 'Reset this exercise',
  resetExerciseConfirm: 'Throw away your code and progress on this exercise?',
  resetAll: 'Reset all',
  resetAllConfirm: 'Throw away your code and progress on every exercise?',
  exportProgress: 'Export (JSON)',
  importProgress: 'Import…',
  imported: (count) => `Imported ${count} exercise${count === 1 ? '' : 's'}.`,
  importFailed: (why) => `Nothing imported: ${why}`,
  progressTitle: 'Your progress',
  stateSolved: 'solved',
  stateStarted: 'started',
  stateNew: 'not started',
  solvedCount: (solved, total) => `${solved} of ${total} exercises solved.`,
}

const ko: Strings = {
  solveHere: '여기서 풀기',
  solveHereNote: '이 페이지 안의 편집기와 테스트입니다. 작성한 코드는 이 브라우저에만 저장됩니다.',
  openEditor: '편집기 열기',
  solved: '해결함',
  loading: '편집기와 테스트를 불러오는 중…',
  loadFailed: '연습 문제를 불러오지 못했습니다:',
  run: '테스트 실행',
  running: '실행 중…',
  results: '결과',
  allGreen: '모든 테스트를 통과했습니다. 해결!',
  someRed: (failed, total) => `테스트 ${total}개 중 ${failed}개가 실패합니다.`,
  notRun: '테스트를 실행하면 어떤 과제를 통과했는지 보입니다.',
  couldNotRun: '코드를 실행하지 못했습니다:',
  task: (n) => (n === null ? '기타 테스트' : `과제 ${n}`),
  tests: '테스트',
  readOnly: '읽기 전용',
  hints: '힌트',
  showHint: (n, of) => `힌트 보기 (${n}/${of})`,
  noMoreHints: '마지막 힌트였습니다.',
  solution: '풀이',
  showSolution: '풀이와 비교하기',
  hideSolution: '풀이 숨기기',
  solutionLocked: '테스트를 한 번 실행하면 풀이를 볼 수 있습니다.',
  solutionIntro: '참고 풀이를 내 코드에 대한 변경으로 보여 줍니다(빨강: 내 코드, 초록: 풀이).',
  stackblitz: 'StackBlitz',
  openStackBlitz: 'StackBlitz에서 열기',
  embedStackBlitz: '여기에 StackBlitz 넣기',
  embedUnsupported:
    'StackBlitz는 Chromium 계열 브라우저(Chrome, Edge 등)에서만 페이지 안에서 Node를 실행합니다. 새 탭에서 여세요.',
  stackblitzNote: '지금 코드가 담긴 Node 프로젝트입니다. 터미널에서 `npm test`를 실행하세요.',
  notInBrowser: (reason) => `이 테스트는 브라우저에서 실행할 수 없습니다: ${reason}`,
  cli: (number) => `저장소에서 실행하려면: npm run exercise -- ${number}`,
  yourCode: '내 코드',
  resetExercise: '이 연습 초기화',
  resetExerciseConfirm: '이 연습 문제의 코드와 진행 상황을 지울까요?',
  resetAll: '모두 초기화',
  resetAllConfirm: '모든 연습 문제의 코드와 진행 상황을 지울까요?',
  exportProgress: '내보내기 (JSON)',
  importProgress: '가져오기…',
  imported: (count) => `연습 문제 ${count}개를 가져왔습니다.`,
  importFailed: (why) => `가져오지 못했습니다: ${why}`,
  progressTitle: '진행 상황',
  stateSolved: '해결함',
  stateStarted: '진행 중',
  stateNew: '시작 전',
  solvedCount: (solved, total) => `연습 문제 ${total}개 중 ${solved}개를 해결했습니다.`,
}

/** `'ko'` for any Korean tag (`ko`, `ko-KR`), else `'en'`. */
export function localeOf(lang: string | undefined): Locale {
  return lang?.toLowerCase().startsWith('ko') ? 'ko' : 'en'
}

export function stringsFor(locale: Locale): Strings {
  return locale === 'ko' ? ko : en
}
