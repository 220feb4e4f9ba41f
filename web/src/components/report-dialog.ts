// "Report": a dialog with PeerTube's predefined reasons, a text (2 to 3000 characters) and, for
// a video, an optional start and end time; sent as POST /api/v1/abuses.

import { api, currentUser } from '../api'
import { errorText, formatDuration, h, notice } from '../dom'
import { navigate } from '../router'
import { predefinedReasons } from '../types'
import { openDialog } from './dialog'

export type ReportTarget =
  | { kind: 'video', id: number, name: string, duration?: number }
  | { kind: 'comment', id: number, author: string }
  | { kind: 'account', id: number, name: string }

const REASON_MAX = 3000

/** "75", "1:15" or "1:02:05" → seconds; null when empty; NaN when not a time. */
export function parseTimestamp (text: string): number | null {
  const value = text.trim()
  if (!value) return null
  if (!/^\d+(:\d{1,2}){0,2}$/.test(value)) return Number.NaN
  return value.split(':').reduce((total, part) => total * 60 + Number(part), 0)
}

function titleOf (target: ReportTarget): string {
  switch (target.kind) {
    case 'video': return `Report the video “${target.name}”`
    case 'comment': return `Report a comment by ${target.author}`
    case 'account': return `Report the account ${target.name}`
  }
}

/** Opens the report dialog (logged-out visitors are sent to the login page first). */
export async function openReportDialog (target: ReportTarget): Promise<void> {
  if (!await currentUser()) { navigate(`/login?next=${encodeURIComponent(location.pathname)}`); return }
  const dialog = openDialog(titleOf(target), 'report-dialog')
  const reasons = predefinedReasons
    .filter((reason) => target.kind === 'video' || (reason.id !== 'thumbnails' && reason.id !== 'captions'))
    .map((reason) => {
      const id = `report-reason-${reason.id}`
      return {
        reason,
        box: h('input', { type: 'checkbox', id, name: 'predefinedReasons', value: reason.id, 'data-testid': `report-reason-${reason.id}` }),
        id
      }
    })
  const text = h('textarea', {
    id: 'report-text', name: 'reason', rows: 4, maxlength: REASON_MAX,
    placeholder: 'What is wrong? Moderators read this.', 'data-testid': 'report-text', 'aria-describedby': 'report-text-count'
  })
  const counter = h('p', { class: 'hint', id: 'report-text-count' }, `0 / ${REASON_MAX}`)
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'report-status' })
  text.addEventListener('input', () => { counter.textContent = `${text.value.length} / ${REASON_MAX}`; status.replaceChildren() })
  const partial = h('input', { type: 'checkbox', id: 'report-partial', 'data-testid': 'report-partial' })
  const startAt = h('input', { id: 'report-start', inputmode: 'numeric', placeholder: '0:00', 'data-testid': 'report-start', disabled: true })
  const endAt = h('input', { id: 'report-end', inputmode: 'numeric', placeholder: target.kind === 'video' && target.duration ? formatDuration(target.duration) : '1:00', 'data-testid': 'report-end', disabled: true })
  partial.addEventListener('change', () => { startAt.disabled = endAt.disabled = !partial.checked })
  const submit = h('button', { type: 'submit', class: 'button button-danger', 'data-testid': 'report-submit' }, 'Send the report')
  const form = h('form', { class: 'form report-form' },
    h('fieldset', { class: 'reasons' }, h('legend', {}, 'What is the problem?'),
      h('div', { class: 'reason-grid' }, reasons.map(({ reason, box, id }) => h('div', { class: 'check' }, box,
        h('label', { for: id }, h('span', { class: 'check-label' }, reason.label), h('span', { class: 'hint' }, reason.hint)))))),
    h('div', { class: 'field' }, h('label', { for: 'report-text' }, 'Details'), text, counter),
    target.kind === 'video'
      ? h('fieldset', { class: 'report-times' }, h('legend', {}, 'Where in the video'),
        h('div', { class: 'check' }, partial, h('label', { for: 'report-partial' }, 'Only a part of the video')),
        h('div', { class: 'time-fields' },
          h('div', { class: 'field' }, h('label', { for: 'report-start' }, 'From'), startAt),
          h('div', { class: 'field' }, h('label', { for: 'report-end' }, 'To'), endAt)))
      : null,
    status,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: dialog.close }, 'Cancel'), submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const reason = text.value.trim()
    if (reason.length < 2) { status.replaceChildren(notice('Please say in a few words what is wrong.', 'error')); text.focus(); return }
    const body: Record<string, unknown> = {
      reason,
      predefinedReasons: reasons.filter(({ box }) => box.checked).map(({ reason: chosen }) => chosen.id)
    }
    if (target.kind === 'video') {
      const video: Record<string, number> = { id: target.id }
      if (partial.checked) {
        const start = parseTimestamp(startAt.value)
        const end = parseTimestamp(endAt.value)
        if (Number.isNaN(start) || Number.isNaN(end) || (start !== null && end !== null && end < start)) {
          status.replaceChildren(notice('Times are written like 1:30 (minutes:seconds), and the end comes after the start.', 'error'))
          return
        }
        if (start !== null) video.startAt = start
        if (end !== null) video.endAt = end
      }
      body.video = video
    } else if (target.kind === 'comment') {
      body.comment = { id: target.id }
    } else {
      body.account = { id: target.id }
    }
    submit.disabled = true
    status.replaceChildren(notice('Sending…'))
    try {
      await api('/abuses', { method: 'POST', json: body })
      dialog.body.replaceChildren(
        h('p', { class: 'notice notice-success', role: 'status', 'data-testid': 'report-sent' },
          'Thank you. The moderators received your report. ', h('a', { href: '/my-account/abuses' }, 'Follow it in your reports'), '.'),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button button-primary', onclick: dialog.close }, 'Close')))
    } catch (error) {
      status.replaceChildren(notice(`The report was not sent: ${errorText(error)}`, 'error'))
      submit.disabled = false
    }
  })
  dialog.body.append(form)
  reasons[0]?.box.focus()
}
