import { h, setTitle } from '../dom'
import type { PageContext } from '../router'

export async function render ({ main }: PageContext): Promise<void> {
  setTitle('Page not found')
  main.append(h('section', { class: 'narrow' },
    h('h1', {}, 'Page not found'),
    h('p', {}, 'Nothing lives at this address. ', h('a', { href: '/' }, 'Back to the home page'), '.')))
}
