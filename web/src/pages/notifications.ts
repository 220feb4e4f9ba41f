// My notifications (/my-account/notifications): the newest first, unread ones marked; opening
// one marks it read; "Mark all as read"; then which kinds reach the user on the web and by
// e-mail (PeerTube's notification settings).

import { api, currentUser } from '../api'
import { errorText, formatAge, h, notice, replace, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import type { Page as Listing } from '../types'

interface ActorInfo { name: string, displayName?: string, host?: string }
interface VideoInfo { uuid: string, shortUUID?: string, name: string, channel?: ActorInfo | null }
interface Notification {
  id: number
  type: number
  read: boolean
  createdAt: string
  video?: VideoInfo | null
  videoBlacklist?: { video: VideoInfo } | null
  comment?: { threadId: number, video: VideoInfo | null, account: ActorInfo | null } | null
  abuse?: { id: number, state?: number } | null
  account?: ActorInfo | null
  actorFollow?: { follower: ActorInfo, following: { type: string, name: string, displayName?: string } } | null
}

const SETTINGS: Array<[string, string]> = [
  ['newVideoFromSubscription', 'A channel I follow publishes a video'],
  ['newCommentOnMyVideo', 'Someone comments on my video'],
  ['commentMention', 'Someone answers my comment'],
  ['newFollow', 'Someone follows my account or channel'],
  ['myVideoPublished', 'My video is published'],
  ['blacklistOnMyVideo', 'My video is blocked or unblocked'],
  ['abuseStateChange', 'My report is answered'],
  ['abuseNewMessage', 'A new message on a report'],
  ['abuseAsModerator', 'A new report (moderators)'],
  ['newUserRegistration', 'Someone signs up (moderators)'],
  ['newInstanceFollower', 'Another instance follows this one (administrators)']
]

const name = (actor: ActorInfo | null | undefined): string => actor?.displayName || actor?.name || 'Someone'
const watch = (video: VideoInfo | null | undefined): string => video ? `/w/${video.shortUUID ?? video.uuid}` : '/'

/** What the notification says and where it leads. */
function describe (n: Notification): [string, string] {
  switch (n.type) {
    case 1: return [`${name(n.video?.channel)} published a new video: ${n.video?.name ?? ''}`, watch(n.video)]
    case 2: return [`${name(n.comment?.account)} commented on your video ${n.comment?.video?.name ?? ''}`, watch(n.comment?.video)]
    case 3: return [`A new report (#${n.abuse?.id ?? ''}) is waiting`, '/admin/moderation/abuses']
    case 4: return [`Your video ${n.videoBlacklist?.video.name ?? ''} was blocked by the moderators`, watch(n.videoBlacklist?.video)]
    case 5: return [`Your video ${n.video?.name ?? ''} was unblocked`, watch(n.video)]
    case 6: return [`Your video ${n.video?.name ?? ''} is published`, watch(n.video)]
    case 9: return [`${name(n.account)} signed up`, `/a/${n.account?.name ?? ''}`]
    case 10: {
      const follow = n.actorFollow
      return [`${name(follow?.follower)} follows your ${follow?.following.type ?? 'channel'} ${follow?.following.displayName ?? follow?.following.name ?? ''}`,
        follow?.following.type === 'channel' ? `/c/${follow.following.name}` : `/a/${follow?.following.name ?? ''}`]
    }
    case 11: return [`${name(n.comment?.account)} answered you on ${n.comment?.video?.name ?? ''}`, watch(n.comment?.video)]
    case 13: return [`${n.actorFollow?.follower.host ?? 'An instance'} follows this instance`, '/admin/relays']
    case 15: return [`Your report #${n.abuse?.id ?? ''} was ${n.abuse?.state === 3 ? 'accepted' : n.abuse?.state === 2 ? 'rejected' : 'reopened'}`, '/my-account/abuses']
    case 16: return [`A new message on report #${n.abuse?.id ?? ''}`, '/my-account/abuses']
    case 20: return [`${name(n.account)} asks to sign up`, '/about']
    default: return ['A notification', '/']
  }
}

function item (n: Notification): HTMLElement {
  const [text, target] = describe(n)
  const row = h('li', { class: `notification${n.read ? '' : ' unread'}`, 'data-testid': 'notification', 'data-type': String(n.type), 'data-read': String(n.read) },
    h('a', {
      href: target,
      onclick: (event: Event) => {
        if (n.read) return
        event.preventDefault()
        void api('/users/me/notifications/read', { method: 'POST', json: { ids: [n.id] } })
          .catch(() => {})
          .finally(() => { window.dispatchEvent(new Event('kinora:notifications')); navigate(target) })
      }
    }, text),
    h('time', { datetime: n.createdAt }, formatAge(n.createdAt)))
  return row
}

function settingsForm (values: Record<string, number>): HTMLElement {
  const status = h('div', { role: 'status', 'data-testid': 'notification-settings-status' })
  const boxes: Array<[string, HTMLInputElement, HTMLInputElement]> = []
  const rows = SETTINGS.map(([key, label]) => {
    const value = values[key] ?? 1
    const web = h('input', { type: 'checkbox', 'aria-label': `${label}: on the web`, 'data-testid': `setting-${key}-web` })
    const mail = h('input', { type: 'checkbox', 'aria-label': `${label}: by e-mail`, 'data-testid': `setting-${key}-email` })
    web.checked = (value & 1) !== 0
    mail.checked = (value & 2) !== 0
    boxes.push([key, web, mail])
    return h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, web), h('td', {}, mail))
  })
  const form = h('form', { class: 'settings-form', 'aria-labelledby': 'notification-settings', 'data-testid': 'notification-settings' },
    h('h2', { id: 'notification-settings' }, 'What I am told of'),
    h('table', { class: 'notification-settings' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', { scope: 'col' }, 'Web'), h('th', { scope: 'col' }, 'E-mail'))),
      h('tbody', {}, ...rows)),
    h('button', { type: 'submit', class: 'button button-primary', 'data-testid': 'notification-settings-save' }, 'Save'),
    status)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const body = Object.fromEntries(boxes.map(([key, web, mail]) => [key, (web.checked ? 1 : 0) + (mail.checked ? 2 : 0)]))
    try {
      await api('/users/me/notification-settings', { method: 'PUT', json: body })
      replace(status, notice('Saved.'))
    } catch (error) {
      replace(status, notice(`Not saved: ${errorText(error)}`, 'error'))
    }
  })
  return form
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('Notifications')
  const user = await currentUser()
  if (!user) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`, { replace: true }); return }
  const list = h('ol', { class: 'notification-list', 'aria-label': 'Notifications' })
  const status = h('div', { role: 'status' })
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  const readAll = h('button', { type: 'button', class: 'button', 'data-testid': 'notifications-read-all' }, 'Mark all as read')
  let loaded = 0
  const load = async (): Promise<void> => {
    try {
      const page = await api<Listing<Notification>>('/users/me/notifications', { query: { start: loaded, count: 20 }, signal })
      for (const n of page.data) list.append(item(n))
      loaded += page.data.length
      more.hidden = loaded >= page.total
      if (loaded === 0) replace(status, h('p', { class: 'empty' }, 'Nothing yet.'))
    } catch (error) {
      if (!signal.aborted) replace(status, notice(`Could not load your notifications: ${errorText(error)}`, 'error'))
    }
  }
  more.addEventListener('click', () => { void load() })
  readAll.addEventListener('click', async () => {
    try {
      await api('/users/me/notifications/read-all', { method: 'POST' })
      for (const row of list.querySelectorAll('.notification')) { row.classList.remove('unread'); row.setAttribute('data-read', 'true') }
      window.dispatchEvent(new Event('kinora:notifications'))
    } catch (error) {
      replace(status, notice(`Could not mark them read: ${errorText(error)}`, 'error'))
    }
  })
  const settings = h('div', {})
  main.append(h('section', { class: 'narrow' },
    h('h1', {}, 'Notifications'),
    h('div', { class: 'history-actions' }, readAll),
    status, list, more, settings))
  await load()
  try {
    const me = await api<{ notificationSettings?: Record<string, number> }>('/users/me', { signal })
    settings.append(settingsForm(me.notificationSettings ?? {}))
  } catch (error) {
    if (!signal.aborted) settings.append(notice(`Could not load your settings: ${errorText(error)}`, 'error'))
  }
}
