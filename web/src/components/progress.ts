// A progress bar with role=progressbar and aria-valuenow (a div, so it can be styled alike
// everywhere and tests can read the value).

import { h } from '../dom'

export interface ProgressBar { element: HTMLElement, set: (percent: number | null, text?: string) => void }

export function progressBar (label: string, testId: string): ProgressBar {
  const fill = h('div', { class: 'progress-fill' })
  const element = h('div', {
    class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'data-testid': testId
  }, fill)
  return {
    element,
    set (percent, text) {
      if (percent === null) {
        element.removeAttribute('aria-valuenow')
        element.classList.add('progress-indeterminate')
        fill.style.width = ''
      } else {
        const value = Math.max(0, Math.min(100, Math.round(percent * 10) / 10))
        element.setAttribute('aria-valuenow', String(value))
        element.classList.remove('progress-indeterminate')
        fill.style.width = `${value}%`
      }
      if (text) element.setAttribute('aria-valuetext', text)
      else element.removeAttribute('aria-valuetext')
    }
  }
}
