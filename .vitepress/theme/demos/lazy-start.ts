/**
 * Starts a demo the first time it comes near the screen, or when the reader presses its start
 * button, whichever comes first: the runtime is a dynamic import inside `start`, so a reader
 * who never scrolls to the demo never downloads it.
 */
import { onBeforeUnmount, onMounted, type Ref, ref } from 'vue'

export type DemoState = 'waiting' | 'loading' | 'ready' | 'failed'

export function useLazyStart(element: Ref<HTMLElement | undefined>, start: () => Promise<void>) {
  const state = ref<DemoState>('waiting')
  const error = ref('')
  let observer: IntersectionObserver | undefined

  async function begin(): Promise<void> {
    if (state.value !== 'waiting') return
    observer?.disconnect()
    state.value = 'loading'
    try {
      await start()
      state.value = 'ready'
    } catch (failure) {
      state.value = 'failed'
      error.value = failure instanceof Error ? failure.message : String(failure)
    }
  }

  onMounted(() => {
    if (typeof IntersectionObserver !== 'function' || element.value === undefined) return
    observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void begin()
      },
      // Start a little before it scrolls in, so it is ready when the reader sees it.
      { rootMargin: '200px 0px' },
    )
    observer.observe(element.value)
  })
  onBeforeUnmount(() => observer?.disconnect())

  return { state, error, begin }
}
