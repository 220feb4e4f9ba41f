// History-API routing: a table of path patterns to lazily loaded page modules. Each page
// renders into <main> and may return a cleanup run before the next page (stopping players,
// polls and requests through the AbortSignal).

export interface PageContext {
  params: Record<string, string>
  query: URLSearchParams
  main: HTMLElement
  signal: AbortSignal
}

export type Cleanup = () => void
export type Page = (context: PageContext) => Promise<Cleanup | void>

interface Route { pattern: RegExp, names: string[], load: () => Promise<{ render: Page }> }

const routes: Route[] = []

/** Adds a route; `:name` segments become params (`:name*` takes the rest of the path). */
export function route (path: string, load: Route['load']): void {
  const names: string[] = []
  const source = path.split('/').map((part) => {
    if (part.startsWith(':')) {
      const rest = part.endsWith('*')
      names.push(part.slice(1).replace('*', ''))
      return rest ? '(.+)' : '([^/]+)'
    }
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }).join('/')
  routes.push({ pattern: new RegExp(`^${source}/?$`), names, load })
}

let current: { controller: AbortController, cleanup?: Cleanup | void } | null = null
let notFound: Route['load'] = async () => ({ render: async ({ main }) => { main.textContent = 'Page not found' } })

export function setNotFound (load: Route['load']): void { notFound = load }

/** Renders the page for the current location. */
export async function render (main: HTMLElement): Promise<void> {
  current?.controller.abort()
  try { current?.cleanup?.() } catch (error) { console.error(error) }
  const controller = new AbortController()
  current = { controller }
  let path = location.pathname
  try { path = decodeURI(path) } catch { /* keep it encoded */ }
  let params: Record<string, string> = {}
  let load = notFound
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path)
    if (match) {
      params = Object.fromEntries(candidate.names.map((name, index) => [name, match[index + 1]]))
      load = candidate.load
      break
    }
  }
  main.replaceChildren()
  main.setAttribute('aria-busy', 'true')
  try {
    const page = await load()
    if (controller.signal.aborted) return
    const cleanup = await page.render({ params, query: new URLSearchParams(location.search), main, signal: controller.signal })
    if (current?.controller === controller) current.cleanup = cleanup
    else cleanup?.()
  } catch (error) {
    if (controller.signal.aborted) return
    console.error(error)
    const message = document.createElement('p')
    message.className = 'notice notice-error'
    message.setAttribute('role', 'alert')
    message.textContent = `This page could not be shown: ${error instanceof Error ? error.message : String(error)}`
    main.replaceChildren(message)
  } finally {
    if (current?.controller === controller) main.removeAttribute('aria-busy')
  }
}

/** Goes to a path inside the app (no reload). */
export function navigate (path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  window.dispatchEvent(new Event('kinora:navigate'))
}

/** Same-origin link clicks become in-app navigations. */
export function interceptLinks (): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const link = (event.target as Element | null)?.closest?.('a')
    if (!link || !link.href || link.target || link.hasAttribute('download')) return
    const target = new URL(link.href)
    if (target.origin !== location.origin || target.pathname.startsWith('/api/') ||
        target.pathname.startsWith('/static/') || target.pathname.startsWith('/videos/embed/')) return
    event.preventDefault()
    if (target.href === location.href) return
    navigate(target.pathname + target.search + target.hash)
  })
}
