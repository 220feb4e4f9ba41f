// "Follow from your instance": a visitor with an account elsewhere enters their instance's
// host (or their handle, name@host) and is sent to its follow page for this channel
// (`/remote-interaction?uri=…`, the page PeerTube and Kinora serve for it).

import { h } from '../dom'

/** The follow page of `instance` (a host, host:port, name@host or URL) for `uri`, or null. */
export function followPageOn (instance: string, uri: string): string | null {
  let text = instance.trim().replace(/^@/, '')
  if (text.includes('@') && !/^https?:\/\//i.test(text)) text = text.slice(text.lastIndexOf('@') + 1)
  const base = /^https?:\/\//i.test(text) ? text : `${location.protocol}//${text}`
  let origin: URL
  try { origin = new URL(base) } catch { return null }
  if (!origin.hostname || /[\s/?#]/.test(text.replace(/^https?:\/\//i, '').replace(/\/$/, ''))) return null
  return `${origin.origin}/remote-interaction?uri=${encodeURIComponent(uri)}`
}

export function remoteFollow (uri: string): HTMLElement {
  const input = h('input', { id: 'remote-follow-host', name: 'instance', placeholder: 'your-instance.example', autocomplete: 'off', required: true, 'data-testid': 'remote-follow-host' })
  const error = h('span', { class: 'inline-error', role: 'alert' })
  const form = h('form', { class: 'remote-follow form', 'data-testid': 'remote-follow' },
    h('label', { for: 'remote-follow-host' }, 'Your instance'), input,
    h('button', { type: 'submit', class: 'button', 'data-testid': 'remote-follow-go' }, 'Follow there'), error)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const target = followPageOn(input.value, uri)
    if (!target) { error.textContent = 'Enter your instance’s address, e.g. video.example or you@video.example.'; return }
    location.assign(target)
  })
  return h('details', { class: 'remote-follow-box' }, h('summary', {}, 'Follow from your instance'), form)
}
