/**
 * A DynamicSupervisor starts 10,000 GenServer children, one `startChild` after the other (each
 * returns once the child's `init` has run): the total time.
 */
import { DynamicSupervisor, GenServer } from 'letitcrash'
import { report, SIZES } from './common.ts'

const { children } = SIZES.dynamicSupervisor

const Worker = { init: () => ['ok', null] } satisfies GenServer.Behaviour<null, undefined>
const spec = { start: () => GenServer.startLink(Worker, undefined) }

const started = await DynamicSupervisor.startLink({ name: 'workers' })
if (started[0] !== 'ok') throw new Error(`the supervisor did not start: ${started}`)

const start = performance.now()
for (let i = 0; i < children; i++) {
  const [tag] = await DynamicSupervisor.startChild('workers', spec)
  if (tag !== 'ok') throw new Error(`child ${i} did not start`)
}
const ms = performance.now() - start

if ((await DynamicSupervisor.countChildren('workers')).active !== children)
  throw new Error('some children are missing')
report({ children, ms })
