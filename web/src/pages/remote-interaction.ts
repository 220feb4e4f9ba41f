// Following from another instance (/remote-interaction?uri=…, also /authorize_interaction as
// Mastodon names it; WebFinger advertises it as the OStatus subscribe template): the channel
// the uri names (a handle or URL of any instance) is looked up here and shown with a subscribe
// button for the logged-in user; a video's uri opens its page.

import { ApiError, currentUser } from '../api'
import { errorText, h, handle, notice, setTitle } from '../dom'
import { navigate, type PageContext } from '../router'
import { actorHeader } from '../components/actor-header'
import { subscribeButton } from '../components/subscribe'
import { watchPath } from '../components/video-list'
import { lookUp } from '../remote-lookup'

export async function render ({ main, query, signal }: PageContext): Promise<void> {
  setTitle('Follow from this instance')
  const uri = (query.get('uri') ?? query.get('acct') ?? '').trim().replace(/^acct:/i, '')
  const section = h('section', { class: 'narrow', 'data-testid': 'remote-interaction' }, h('h1', {}, 'Follow from this instance'))
  main.append(section)
  if (!uri) {
    section.append(notice('Nothing to follow: the link names no channel (it needs ?uri=<handle or address>).', 'error'))
    return
  }
  if (!await currentUser()) {
    section.append(h('p', {}, `Log in to follow ${uri} from this instance.`),
      h('a', { class: 'button button-primary', href: `/login?next=${encodeURIComponent(location.pathname + location.search)}`, 'data-testid': 'remote-interaction-login' }, 'Log in'))
    return
  }
  const status = h('div', { 'aria-live': 'polite' }, notice(`Looking up ${uri}…`))
  section.append(status)
  try {
    const found = await lookUp(uri, signal)
    if (signal.aborted) return
    if (found.video) { navigate(watchPath(found.video), { replace: true }); return }
    if (!found.channel) { status.replaceChildren(notice(`No channel was found at ${uri}.`, 'error')); return }
    const channel = found.channel
    status.replaceChildren(actorHeader(channel, [
      subscribeButton(channel, channel.followersCount),
      h('p', {}, h('a', { href: `/c/${handle(channel)}`, 'data-testid': 'remote-interaction-channel' }, 'Open the channel’s page'))
    ]))
  } catch (error) {
    if (signal.aborted) return
    const message = error instanceof ApiError && error.status === 400 ? error.detail : `The lookup failed: ${errorText(error)}`
    status.replaceChildren(notice(message, 'error'))
  }
}
