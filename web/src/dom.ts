// Building DOM without HTML strings: every piece of text becomes a text node, so names,
// descriptions and comments from the API can never turn into markup.

type Child = Node | string | number | null | undefined | false
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>

/** Creates an element: attributes (`on…` ones become listeners) and children (text is text). */
export function h<K extends keyof HTMLElementTagNameMap> (
  tag: K,
  attributes: Attributes = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value)
    } else if (name === 'class') {
      element.className = String(value)
    } else {
      element.setAttribute(name, value === true ? '' : String(value))
    }
  }
  append(element, ...children)
  return element
}

export function append (parent: Node, ...children: Array<Child | Child[]>): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

/** Empties an element and fills it again. */
export function replace (parent: Element, ...children: Array<Child | Child[]>): void {
  parent.replaceChildren()
  append(parent, ...children)
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration (seconds: number): string {
  const total = Math.max(0, Math.floor(seconds || 0))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const rest = String(total % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

/** "3 days ago", from an ISO date. */
export function formatAge (iso: string | null | undefined): string {
  if (!iso) return ''
  const seconds = (Date.parse(iso) - Date.now()) / 1000
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]
  ]
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit)
  }
  return relative.format(0, 'second')
}

export function formatDate (iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' }) : ''
}

export function formatCount (count: number, one: string, many: string): string {
  return `${new Intl.NumberFormat().format(count ?? 0)} ${count === 1 ? one : many}`
}

export function formatBytes (bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++ }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

/** A status line for loading and errors (announced to screen readers). */
export function notice (text: string, kind: 'info' | 'error' = 'info'): HTMLElement {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text)
}

/** The text to show for a failed request. */
export function errorText (error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/** A handle for display: "name" on this instance, "name@host" elsewhere. */
export function handle (actor: { name: string, host: string }): string {
  return actor.host && actor.host !== location.host ? `${actor.name}@${actor.host}` : actor.name
}

/** A handle that always carries the host (subscriptions need it). */
export function fullHandle (actor: { name: string, host: string }): string {
  return `${actor.name}@${actor.host || location.host}`
}

// The page's part of the title, once a page has set it (until then the server's title stands).
let pageTitle: string | null = null

/** The instance's name: the server writes the one in force into every page's head. */
export function instanceName (): string {
  return document.documentElement.dataset.instance ??
    document.querySelector<HTMLMetaElement>('meta[name="application-name"]')?.content ?? 'Kinora'
}

/** Sets the tab title: "<page> - <instance>" (the name alone for an empty page name). */
export function setTitle (page: string): void {
  pageTitle = page
  const instance = instanceName()
  document.title = page ? `${page} - ${instance}` : instance
}

/** The instance was renamed (at start, or by an administrator): the title follows. */
export function setInstanceName (name: string): void {
  document.documentElement.dataset.instance = name
  if (pageTitle !== null) setTitle(pageTitle)
  window.dispatchEvent(new CustomEvent('kinora:instance', { detail: name }))
}

/** A start time from a URL: "90", "1m30s" or "1h2m3s" → seconds; undefined otherwise. */
export function parseStart (text: string | null): number | undefined {
  if (!text) return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) || undefined
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)
  if (!match || !match[0]) return undefined
  return (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) || undefined
}
