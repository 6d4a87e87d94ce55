// Tests assert on crashes on purpose; keep crash reports out of the output.
import { setLogger } from '../index.ts'

setLogger(() => {})
