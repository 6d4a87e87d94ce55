/**
 * The Korean locale, served at `/ko/` from `docs/ko/`, whose paths mirror the English ones so the
 * language switcher leads to the same page. Each Korean page records the English text it
 * translates (`source_hash` in its front matter; `npm run i18n:status` lists what is missing or
 * stale). Headings keep their English anchors (`## 제목 {#english-anchor}`), so a link or a
 * switch of language keeps its `#anchor`.
 */
import type { DefaultTheme, LocaleSpecificConfig } from 'vitepress'
import { type Labels, nav, sidebar } from '../sidebar.ts'

const labels: Labels = {
  course: '강좌',
  exercises: '연습 문제',
  reference: '레퍼런스',
  modules: '런타임 모듈',
  performance: '성능',
  chat: '채팅 앱 실행하기',
  exercise: '연습',
}

export const ko: LocaleSpecificConfig<DefaultTheme.Config> & { label: string; link: string } = {
  label: '한국어',
  lang: 'ko-KR',
  link: '/ko/',
  description: 'Erlang/Elixir OTP의 장애 허용을 TypeScript로 직접 만들며 배웁니다.',
  themeConfig: {
    nav: nav('ko', labels),
    sidebar: sidebar('ko', labels),
    outline: { level: [2, 3], label: '이 페이지의 내용' },
    docFooter: { prev: '이전', next: '다음' },
    lastUpdated: { text: '마지막 수정' },
    darkModeSwitchLabel: '테마',
    lightModeSwitchTitle: '밝은 테마로 전환',
    darkModeSwitchTitle: '어두운 테마로 전환',
    sidebarMenuLabel: '메뉴',
    returnToTopLabel: '맨 위로',
    langMenuLabel: '언어 변경',
    skipToContentLabel: '본문으로 건너뛰기',
    notFound: {
      title: '페이지를 찾을 수 없습니다',
      quote: '주소가 바뀌었거나 아직 번역되지 않은 페이지일 수 있습니다.',
      linkLabel: '홈으로 가기',
      linkText: '홈으로',
    },
  },
}

/** The local search box in Korean (`themeConfig.search.options.locales.ko`). */
export const koSearch: DefaultTheme.LocalSearchOptions['locales'] = {
  ko: {
    translations: {
      button: { buttonText: '검색', buttonAriaLabel: '검색' },
      modal: {
        displayDetails: '자세히 보기',
        resetButtonTitle: '검색어 지우기',
        backButtonTitle: '검색 닫기',
        noResultsText: '검색 결과가 없습니다',
        footer: {
          selectText: '선택',
          selectKeyAriaLabel: '엔터',
          navigateText: '이동',
          navigateUpKeyAriaLabel: '위 화살표',
          navigateDownKeyAriaLabel: '아래 화살표',
          closeText: '닫기',
          closeKeyAriaLabel: 'Esc',
        },
      },
    },
  },
}
