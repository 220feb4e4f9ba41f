// The moderation area's reports tab: reports filtered by state and kind, each with accept or
// reject (with a moderation comment), blocking a reported video, muting the reported account
// on the instance, deletion, and the conversation with the reporter.

import { api } from '../api'
import { errorText, fullHandle, h, notice } from '../dom'
import { navigate } from '../router'
import { AbuseState, type Abuse, type Page } from '../types'
import { reportCard } from './abuse-report'
import { reasonForm } from './reason-form'

const PAGE = 20

function filters (query: URLSearchParams): HTMLElement {
  const state = h('select', { id: 'abuse-state-filter', 'data-testid': 'abuse-state-filter' },
    h('option', { value: '' }, 'All'), h('option', { value: AbuseState.pending }, 'Pending'),
    h('option', { value: AbuseState.accepted }, 'Accepted'), h('option', { value: AbuseState.rejected }, 'Rejected'))
  state.value = query.get('state') ?? ''
  const kind = h('select', { id: 'abuse-kind-filter', 'data-testid': 'abuse-kind-filter' },
    h('option', { value: '' }, 'Everything'), h('option', { value: 'video' }, 'Videos'),
    h('option', { value: 'comment' }, 'Comments'), h('option', { value: 'account' }, 'Accounts'))
  kind.value = query.get('filter') ?? ''
  const apply = (): void => {
    const next = new URLSearchParams()
    if (state.value) next.set('state', state.value)
    if (kind.value) next.set('filter', kind.value)
    const text = next.toString()
    navigate(`/admin/moderation/abuses${text ? `?${text}` : ''}`)
  }
  state.addEventListener('change', apply)
  kind.addEventListener('change', apply)
  return h('div', { class: 'filters' },
    h('div', { class: 'field' }, h('label', { for: 'abuse-state-filter' }, 'State'), state),
    h('div', { class: 'field' }, h('label', { for: 'abuse-kind-filter' }, 'Reported'), kind))
}

function moderatedCard (initial: Abuse, signal: AbortSignal, reload: (card: HTMLLIElement, abuse: Abuse) => void): HTMLLIElement {
  const abuse = initial
  const comment = h('textarea', { id: `moderation-comment-${abuse.id}`, rows: 2, maxlength: 3000, placeholder: 'Only moderators see this.', 'data-testid': 'abuse-moderation-input' })
  comment.value = abuse.moderationComment ?? ''
  const slot = h('div', { class: 'action-slot' })
  const status = h('div', { 'aria-live': 'polite' })
  const setState = async (state: number): Promise<void> => {
    const body: Record<string, unknown> = { state }
    const text = comment.value.trim()
    if (text.length >= 2) body.moderationComment = text
    status.replaceChildren(notice('Saving…'))
    try {
      await api(`/abuses/${abuse.id}`, { method: 'PUT', json: body })
      abuse.state = { id: state, label: state === AbuseState.accepted ? 'Accepted' : state === AbuseState.rejected ? 'Rejected' : 'Pending' }
      if (body.moderationComment) abuse.moderationComment = text
      reload(card, abuse)
    } catch (error) {
      status.replaceChildren(notice(`Could not update the report: ${errorText(error)}`, 'error'))
    }
  }
  const buttons: HTMLElement[] = []
  if (abuse.state.id !== AbuseState.accepted) {
    buttons.push(h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'abuse-accept', onclick: () => { void setState(AbuseState.accepted) } }, 'Accept'))
  }
  if (abuse.state.id !== AbuseState.rejected) {
    buttons.push(h('button', { type: 'button', class: 'button', 'data-testid': 'abuse-reject', onclick: () => { void setState(AbuseState.rejected) } }, 'Reject'))
  }
  const video = abuse.video
  if (video && !video.deleted && !video.blacklisted) {
    const block = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'abuse-block-video' }, 'Block the video')
    block.addEventListener('click', () => {
      const unfederate = h('input', { type: 'checkbox', id: `unfederate-${abuse.id}`, 'data-testid': 'block-unfederate' })
      slot.replaceChildren(reasonForm({
        label: 'Why is it blocked?',
        testId: 'block',
        confirm: 'Block it',
        extra: h('span', { class: 'check' }, unfederate, h('label', { for: `unfederate-${abuse.id}` }, 'Also remove it from other instances')),
        cancel: () => slot.replaceChildren(),
        run: async (reason) => {
          await api(`/videos/${video.uuid}/blacklist`, { method: 'POST', json: { ...(reason ? { reason } : {}), unfederate: unfederate.checked } })
          video.blacklisted = true
          reload(card, abuse)
        }
      }))
    })
    buttons.push(block)
  }
  const flagged = abuse.flaggedAccount
  if (flagged) {
    const muteButton = h('button', { type: 'button', class: 'button', 'data-testid': 'abuse-mute-account' }, 'Mute the account here')
    muteButton.addEventListener('click', async () => {
      muteButton.disabled = true
      try {
        await api('/server/blocklist/accounts', { method: 'POST', json: { accountName: fullHandle(flagged) } })
        slot.replaceChildren(h('p', { class: 'notice notice-success', role: 'status' }, `${fullHandle(flagged)} is muted on this instance.`))
      } catch (error) {
        muteButton.disabled = false
        slot.replaceChildren(notice(`Could not mute: ${errorText(error)}`, 'error'))
      }
    })
    buttons.push(muteButton)
  }
  const remove = h('button', { type: 'button', class: 'link-button danger', 'data-testid': 'abuse-delete' }, 'Delete the report')
  remove.addEventListener('click', () => {
    const confirm = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'abuse-delete-confirm' }, 'Yes, delete it')
    confirm.addEventListener('click', async () => {
      confirm.disabled = true
      try {
        await api(`/abuses/${abuse.id}`, { method: 'DELETE' })
        card.replaceChildren(h('p', { class: 'muted', role: 'status' }, `Report #${abuse.id} was deleted.`))
      } catch (error) {
        confirm.disabled = false
        slot.replaceChildren(notice(`Could not delete: ${errorText(error)}`, 'error'))
      }
    })
    slot.replaceChildren(h('p', {}, 'Delete this report and its conversation?'), confirm,
      h('button', { type: 'button', class: 'button', onclick: () => slot.replaceChildren() }, 'Keep it'))
  })
  buttons.push(remove)
  const counts = h('p', { class: 'muted' },
    abuse.countReportsForReportee !== undefined ? `${abuse.countReportsForReportee} report(s) about this account` : '',
    abuse.countReportsForReporter !== undefined ? ` · the reporter sent ${abuse.countReportsForReporter}` : '')
  // The moderation comment is edited in the card, not repeated above it.
  const card: HTMLLIElement = reportCard({ ...abuse, moderationComment: null }, signal, [
    counts,
    h('div', { class: 'field moderation-field' }, h('label', { for: `moderation-comment-${abuse.id}` }, 'Moderation comment'), comment),
    h('div', { class: 'row-actions' }, buttons), slot, status
  ])
  return card
}

/** The reports tab's content. */
export function reportsTab (query: URLSearchParams, signal: AbortSignal): HTMLElement[] {
  const list = h('ul', { class: 'row-list', 'aria-label': 'Reports', 'data-testid': 'abuse-list' })
  const status = h('div', {})
  const more = h('button', { type: 'button', class: 'button', hidden: true }, 'Show more')
  const reload = (card: HTMLLIElement, abuse: Abuse): void => { card.replaceWith(moderatedCard(abuse, signal, reload)) }
  let loaded = 0
  const load = async (): Promise<void> => {
    more.disabled = true
    try {
      const page = await api<Page<Abuse>>('/abuses', {
        query: { start: loaded, count: PAGE, sort: '-createdAt', state: query.get('state') ?? undefined, filter: query.get('filter') ?? undefined }, signal
      })
      status.replaceChildren()
      list.append(...page.data.map((abuse) => moderatedCard(abuse, signal, reload)))
      loaded += page.data.length
      more.hidden = loaded >= page.total || page.data.length === 0
      if (loaded === 0) status.replaceChildren(h('p', { class: 'empty' }, 'No reports here.'))
    } catch (error) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load the reports: ${errorText(error)}`, 'error'))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  void load()
  return [filters(query), list, status, more]
}
