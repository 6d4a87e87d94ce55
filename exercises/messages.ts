/**
 * The language of the exercises' failure messages. Tests write each message in English and
 * Korean, `t('did init return …?', 'init이 …를 반환했나요?')`, and the learner sees the one in
 * their language:
 *
 * - in the course's exercise panel, the page's language (the panel sets `LETITCRASH_LOCALE`);
 * - on the command line, `LETITCRASH_LANG=ko` or a Korean `LANG` (`ko_KR.UTF-8`).
 *
 * Only the messages are translated; test names stay in English so that every learner's
 * `task 2: …` lines match the README's numbered tasks in both languages.
 */

export type Locale = 'en' | 'ko'

/** The learner's language, read when a message is built (the panel may set it late). */
export function locale(): Locale {
  const fromPanel = (globalThis as { LETITCRASH_LOCALE?: unknown }).LETITCRASH_LOCALE
  if (fromPanel === 'ko' || fromPanel === 'en') return fromPanel
  const env = typeof process === 'undefined' ? undefined : process.env
  const wanted = env?.LETITCRASH_LANG ?? env?.LC_ALL ?? env?.LC_MESSAGES ?? env?.LANG ?? ''
  return wanted.toLowerCase().startsWith('ko') ? 'ko' : 'en'
}

/** `en` or `ko`, whichever the learner reads. */
export function t(en: string, ko: string): string {
  return locale() === 'ko' ? ko : en
}
