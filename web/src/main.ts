// The app: the header (search, upload, account menu), the section links, and the routes.

import './styles/base.css'
import './styles/app.css'
import { api, currentUser, isLoggedIn, logout } from './api'
import { h, replace, setInstanceName } from './dom'
import { icon } from './icons'
import { notificationBell, stopBell } from './components/notification-bell'
import { applyTheme } from './theme'
import { isAdmin, isModerator, Role } from './types'
import { interceptLinks, navigate, render, route, setNotFound } from './router'

route('/', () => import('./pages/home'))
route('/login', () => import('./pages/login'))
route('/signup', () => import('./pages/signup'))
route('/reset-password', async () => ({ render: (await import('./pages/account-email')).renderReset }))
route('/verify-account/email', async () => ({ render: (await import('./pages/account-email')).renderVerify }))
route('/verify-account/ask-send-email', async () => ({ render: (await import('./pages/account-email')).renderAskVerify }))
route('/search', () => import('./pages/search'))
route('/videos/upload', () => import('./pages/upload'))
route('/videos/go-live', () => import('./pages/go-live'))
route('/videos/trending', () => import('./pages/browse'))
route('/videos/recently-added', () => import('./pages/browse'))
route('/videos/local', () => import('./pages/browse'))
route('/videos/manage/:id', () => import('./pages/manage'))
route('/w/p/:id', () => import('./pages/playlist'))
route('/videos/watch/playlist/:id', () => import('./pages/playlist'))
route('/w/:id', () => import('./pages/watch'))
route('/videos/watch/:id', () => import('./pages/watch'))
route('/c/:name', () => import('./pages/channel'))
route('/c/:name/videos', () => import('./pages/channel'))
route('/a/:name', () => import('./pages/account'))
route('/a/:name/videos', () => import('./pages/account'))
route('/my-library/videos', () => import('./pages/my-videos'))
route('/my-library/subscriptions', () => import('./pages/subscriptions'))
route('/my-library/history/videos', () => import('./pages/history'))
route('/my-library/comments-on-my-videos', () => import('./pages/comment-queue'))
route('/my-account/blocklist', () => import('./pages/my-mutes'))
route('/my-account/abuses', () => import('./pages/my-reports'))
route('/my-account/settings', () => import('./pages/my-settings'))
route('/my-account/notifications', () => import('./pages/notifications'))
route('/my-account/move', () => import('./pages/move'))
route('/my-account/exports', () => import('./pages/my-exports'))
route('/admin/moderation', () => import('./pages/moderation'))
route('/admin/moderation/:tab', () => import('./pages/moderation'))
route('/videos/discover', () => import('./pages/discover'))
route('/remote-interaction', () => import('./pages/remote-interaction'))
route('/authorize_interaction', () => import('./pages/remote-interaction'))
route('/admin/relays', () => import('./pages/relays'))
route('/about', () => import('./pages/about'))
route('/about/instance', () => import('./pages/about'))
route('/admin/config/edit-custom', () => import('./pages/admin-settings'))
setNotFound(() => import('./pages/not-found'))

const searchInput = h('input', {
  id: 'site-search', type: 'search', name: 'search', placeholder: 'Search videos', autocomplete: 'off', 'data-testid': 'search-input'
})
const accountArea = h('div', { class: 'account-area' })
const brandName = h('span', {}, 'Kinora')
const sections = h('nav', { class: 'sections', 'aria-label': 'Sections' })
const main = h('main', { id: 'main', tabindex: '-1' })
const softwareLine = h('span', { 'data-testid': 'footer-software' }, 'Kinora')
const footer = h('footer', { class: 'site-footer', 'data-testid': 'site-footer' },
  h('nav', { 'aria-label': 'About this instance' },
    h('a', { href: '/about', 'data-testid': 'footer-about' }, 'About'),
    h('a', { href: '/api/v1/openapi.json' }, 'API')),
  h('p', {}, 'Powered by ', softwareLine, ', free software under the AGPL'))

function sectionLinks (loggedIn: boolean, moderator: boolean): HTMLElement[] {
  const links: Array<[string, string]> = [
    ['/', 'Home'], ['/videos/recently-added', 'Recently added'], ['/videos/trending', 'Trending'], ['/videos/local', 'Local']
  ]
  links.push(['/videos/discover', 'Discover'])
  if (loggedIn) links.push(['/my-library/subscriptions', 'Subscriptions'], ['/my-library/videos', 'My videos'])
  if (moderator) links.push(['/admin/moderation/abuses', 'Moderation'])
  return links.map(([path, label]) => h('a', { href: path }, label))
}

function markCurrentSection (): void {
  for (const link of sections.querySelectorAll('a')) {
    const here = link.pathname === location.pathname || (link.pathname.startsWith('/admin/') && location.pathname.startsWith('/admin/'))
    if (here) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
}

async function renderAccountArea (): Promise<void> {
  const user = await currentUser()
  applyTheme(user?.theme)
  replace(sections, sectionLinks(user !== null, isModerator(user)))
  markCurrentSection()
  if (!user) {
    stopBell()
    if (location.pathname === '/login') { accountArea.replaceChildren(); return }
    const next = encodeURIComponent(location.pathname + location.search)
    replace(accountArea, h('a', { class: 'button button-primary', href: `/login?next=${next}`, 'data-testid': 'login-link' }, 'Log in'))
    return
  }
  const menu = h('details', { class: 'user-menu', 'data-testid': 'user-menu' },
    h('summary', { 'aria-label': `Account menu for ${user.username}` }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, user.username.slice(0, 1).toUpperCase()), h('span', { class: 'user-name' }, user.username)),
    h('div', { class: 'menu' },
      h('a', { href: `/a/${user.account.name}` }, 'My account'),
      h('a', { href: '/my-library/videos' }, 'My videos'),
      h('a', { href: '/my-library/subscriptions' }, 'Subscriptions'),
      h('a', { href: '/my-library/history/videos', 'data-testid': 'menu-history' }, 'History'),
      h('a', { href: '/my-library/comments-on-my-videos', 'data-testid': 'menu-comment-queue' }, 'Comments on my videos'),
      h('a', { href: '/my-account/blocklist', 'data-testid': 'menu-mutes' }, 'Muted accounts and instances'),
      h('a', { href: '/my-account/abuses', 'data-testid': 'menu-reports' }, 'My reports'),
      h('a', { href: '/my-account/notifications', 'data-testid': 'menu-notifications' }, 'Notifications'),
      h('a', { href: '/my-account/settings', 'data-testid': 'menu-my-settings' }, 'My settings'),
      h('a', { href: '/my-account/move', 'data-testid': 'menu-move' }, 'Move to another instance'),
      h('a', { href: '/my-account/exports', 'data-testid': 'menu-exports' }, 'Archive of my data'),
      isModerator(user) ? h('a', { href: '/admin/moderation/abuses', 'data-testid': 'menu-moderation' }, 'Moderation') : null,
      user.role.id === Role.administrator ? h('a', { href: '/admin/relays', 'data-testid': 'menu-relays' }, 'Relays') : null,
      isAdmin(user) ? h('a', { href: '/admin/config/edit-custom', 'data-testid': 'menu-settings' }, 'Instance settings') : null,
      h('button', {
        type: 'button',
        'data-testid': 'logout',
        onclick: async () => { await logout(); navigate('/') }
      }, 'Log out')))
  menu.addEventListener('click', (event) => { if ((event.target as Element).closest('.menu a, .menu button')) menu.open = false })
  replace(accountArea, notificationBell(), h('a', { class: 'button', href: '/videos/upload', 'data-testid': 'upload-link' }, icon('upload'), h('span', { class: 'upload-label' }, 'Upload')), menu)
}

function layout (): void {
  const searchForm = h('form', {
    class: 'site-search',
    role: 'search',
    onsubmit: (event: Event) => {
      event.preventDefault()
      const text = searchInput.value.trim()
      if (text) navigate(`/search?search=${encodeURIComponent(text)}`)
    }
  }, h('label', { for: 'site-search', class: 'visually-hidden' }, 'Search videos'), searchInput,
  h('button', { type: 'submit', class: 'icon-button', 'aria-label': 'Search' }, icon('search')))
  const header = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '/' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, icon('play')), brandName),
    searchForm, accountArea)
  document.getElementById('app')!.replaceChildren(header, sections, main, footer)
}

async function show (focus: boolean): Promise<void> {
  markCurrentSection()
  if (location.pathname === '/search') searchInput.value = new URLSearchParams(location.search).get('search') ?? ''
  await render(main)
  if (focus && !main.contains(document.activeElement)) {
    window.scrollTo(0, 0)
    const heading = main.querySelector('h1')
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }) }
  }
}

async function start (): Promise<void> {
  layout()
  interceptLinks()
  window.addEventListener('popstate', () => { void show(false) })
  window.addEventListener('kinora:navigate', () => { void show(true); void renderAccountArea() })
  window.addEventListener('kinora:auth', () => { void renderAccountArea() })
  window.addEventListener('kinora:instance', (event) => { brandName.textContent = (event as CustomEvent<string>).detail })
  brandName.textContent = document.querySelector<HTMLMetaElement>('meta[name="application-name"]')?.content ?? 'Kinora'
  api<{ instance?: { name?: string }, software?: { name?: string, version?: string } }>('/config').then((config) => {
    const name = config.instance?.name
    if (name) setInstanceName(name)
    if (config.software?.version) softwareLine.textContent = `Kinora ${config.software.version}`
  }).catch(() => { /* keep the default name */ })
  if (isLoggedIn()) void currentUser()
  await Promise.all([renderAccountArea(), show(false)])
}

void start()
