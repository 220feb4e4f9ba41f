// The attributes a creator chooses on the upload and edit pages besides title and description:
// category, licence and language (from the instance's tables, /api/v1/videos/categories etc.),
// NSFW, downloads, support text and the original publication date, in PeerTube's field names.

import { api } from '../api'
import { h } from '../dom'
import type { VideoDetails } from '../types'

type Table = Record<string, string>

/** What the fields hold, as PeerTube's edit body carries it ('' clears a choice). */
export interface AttributeValues {
  category: string
  licence: string
  language: string
  nsfw: boolean
  downloadEnabled: boolean
  support: string
  originallyPublishedAt: string
}

export interface AttributeFields {
  /** The `.field` blocks, in order. */
  elements: HTMLElement[]
  values: () => AttributeValues
}

let tables: Promise<[Table, Table, Table]> | null = null

/** The instance's three tables, asked once per page load. */
function loadTables (): Promise<[Table, Table, Table]> {
  tables ??= Promise.all([
    api<Table>('/videos/categories'),
    api<Table>('/videos/licences'),
    api<Table>('/videos/languages')
  ]).catch((error) => { tables = null; throw error })
  return tables
}

function tableSelect (id: string, name: string, table: Table, current: string | number | null | undefined): HTMLSelectElement {
  const select = h('select', { id, name, 'data-testid': id },
    h('option', { value: '' }, '—'),
    Object.entries(table).map(([value, label]) => h('option', { value }, label)))
  const wanted = current === null || current === undefined ? '' : String(current)
  // A value outside the table (another instance's) stays selectable.
  if (wanted && !(wanted in table)) select.append(h('option', { value: wanted }, wanted))
  select.value = wanted
  return select
}

/** YYYY-MM-DD of an ISO date, for an `<input type="date">`. */
function day (iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : ''
}

/** Builds the fields, filled from `video` when editing; `field` wraps a control in a labelled block. */
export async function attributeFields (
  prefix: string,
  field: (id: string, label: string, control: HTMLElement, hint?: string) => HTMLElement,
  video?: VideoDetails
): Promise<AttributeFields> {
  const [categories, licences, languages] = await loadTables()
  const category = tableSelect(`${prefix}-category`, 'category', categories, video?.category?.id)
  const licence = tableSelect(`${prefix}-licence`, 'licence', licences, video?.licence?.id)
  const language = tableSelect(`${prefix}-language`, 'language', languages, video?.language?.id)
  const nsfw = h('input', { type: 'checkbox', id: `${prefix}-nsfw`, name: 'nsfw', 'data-testid': `${prefix}-nsfw` })
  nsfw.checked = video?.nsfw ?? false
  const download = h('input', { type: 'checkbox', id: `${prefix}-download`, name: 'downloadEnabled', 'data-testid': `${prefix}-download` })
  download.checked = video?.downloadEnabled ?? true
  const support = h('textarea', { id: `${prefix}-support`, name: 'support', rows: 3, maxlength: 1000, 'data-testid': `${prefix}-support` })
  support.value = video?.support ?? ''
  const original = h('input', { type: 'date', id: `${prefix}-original`, name: 'originallyPublishedAt', 'data-testid': `${prefix}-original`, value: day(video?.originallyPublishedAt) })
  const check = (control: HTMLInputElement, label: string): HTMLElement =>
    h('div', { class: 'field field-check', 'data-field': control.name }, h('label', { for: control.id }, control, ' ', label),
      h('p', { class: 'field-error', id: `${control.id}-error`, 'aria-live': 'polite' }))
  return {
    elements: [
      field(category.id, 'Category', category),
      field(licence.id, 'Licence', licence),
      field(language.id, 'Language', language),
      check(nsfw, 'Not safe for work (hidden from lists unless viewers ask for it)'),
      check(download, 'Viewers may download the video'),
      field(support.id, 'Support', support, 'How viewers can support you (Markdown), 3 to 1000 characters.'),
      field(original.id, 'Original publication date', original, 'When the video was first published elsewhere, if it was.')
    ],
    values: () => ({
      category: category.value,
      licence: licence.value,
      language: language.value,
      nsfw: nsfw.checked,
      downloadEnabled: download.checked,
      support: support.value.trim(),
      originallyPublishedAt: original.value
    })
  }
}

/** Puts the values in a multipart edit body (an empty value clears the attribute). */
export function appendAttributes (data: FormData, values: AttributeValues): void {
  data.set('category', values.category)
  data.set('licence', values.licence)
  data.set('language', values.language)
  data.set('nsfw', String(values.nsfw))
  data.set('downloadEnabled', String(values.downloadEnabled))
  data.set('support', values.support)
  data.set('originallyPublishedAt', values.originallyPublishedAt)
}

/** The values as an upload's JSON fields (unset ones left out). */
export function attributesJson (values: AttributeValues): Record<string, string | number | boolean> {
  const json: Record<string, string | number | boolean> = { nsfw: values.nsfw, downloadEnabled: values.downloadEnabled }
  if (values.category) json.category = Number(values.category)
  if (values.licence) json.licence = Number(values.licence)
  if (values.language) json.language = values.language
  if (values.support) json.support = values.support
  if (values.originallyPublishedAt) json.originallyPublishedAt = values.originallyPublishedAt
  return json
}
