// About: what the instance says about itself (/api/v1/config/about: name, descriptions, rules,
// code of conduct, moderation, who runs it and how), who may join, the software and its
// version (/api/v1/config) and the instance's numbers (/api/v1/server/stats).

import { api } from '../api'
import { errorText, formatBytes, h, notice, setTitle } from '../dom'
import { renderMarkdown } from '../markdown'
import type { About, ServerConfig, ServerStats } from '../types'
import type { PageContext } from '../router'

/** A titled block of Markdown, or nothing when the text is empty. */
function block (id: string, title: string, text: string): HTMLElement | null {
  if (!text.trim()) return null
  return h('section', { class: 'about-block', 'aria-labelledby': id, 'data-testid': `about-${id}` },
    h('h2', { id }, title),
    h('div', { class: 'markdown' }, renderMarkdown(text)))
}

const STAT_LABELS: Array<[string, string]> = [
  ['totalUsers', 'Users'],
  ['totalLocalVideos', 'Videos published here'],
  ['totalLocalVideoViews', 'Views of those videos'],
  ['totalLocalVideoComments', 'Comments written here'],
  ['totalLocalVideoChannels', 'Channels'],
  ['totalVideos', 'Videos known, with other instances\''],
  ['totalInstanceFollowers', 'Instances following this one'],
  ['totalInstanceFollowing', 'Instances followed']
]

function statistics (stats: ServerStats): HTMLElement {
  const number = new Intl.NumberFormat()
  const rows = STAT_LABELS.filter(([key]) => typeof stats[key] === 'number')
    .map(([key, label]) => h('div', { class: 'stat' }, h('dt', {}, label), h('dd', { 'data-testid': `stat-${key}` }, number.format(stats[key] as number))))
  if (typeof stats.totalLocalVideoFilesSize === 'number') {
    rows.push(h('div', { class: 'stat' }, h('dt', {}, 'Video storage used'), h('dd', {}, formatBytes(stats.totalLocalVideoFilesSize))))
  }
  return h('dl', { class: 'stats' }, rows)
}

function registration (config: ServerConfig): string {
  if (!config.signup.allowed) return 'Accounts are created by the administrators; sign-up is closed.'
  return config.signup.requiresApproval
    ? 'Anyone may ask for an account; an administrator approves each request.'
    : 'Anyone may create an account.'
}

export async function render ({ main, signal }: PageContext): Promise<void> {
  setTitle('About')
  const [about, config, labels] = await Promise.all([
    api<About>('/config/about', { signal }),
    api<ServerConfig>('/config', { signal }),
    Promise.all([
      api<Record<string, string>>('/videos/languages', { signal }).catch(() => ({} as Record<string, string>)),
      api<Record<string, string>>('/videos/categories', { signal }).catch(() => ({} as Record<string, string>))
    ])
  ])
  const [languageNames, categoryNames] = labels
  const instance = about.instance
  const statsArea = h('div', { 'aria-live': 'polite' }, notice('Loading the statistics…'))
  const facts: HTMLElement[] = []
  if (instance.languages.length > 0) {
    facts.push(h('div', {}, h('dt', {}, 'Languages'), h('dd', { 'data-testid': 'about-languages' }, instance.languages.map((code) => languageNames[code] ?? code).join(', '))))
  }
  if (instance.categories.length > 0) {
    facts.push(h('div', {}, h('dt', {}, 'About'), h('dd', { 'data-testid': 'about-categories' }, instance.categories.map((id) => categoryNames[String(id)] ?? String(id)).join(', '))))
  }
  facts.push(h('div', {}, h('dt', {}, 'Joining'), h('dd', { 'data-testid': 'about-registration' }, registration(config))))
  const version = config.software?.version ?? ''
  facts.push(h('div', {}, h('dt', {}, 'Software'), h('dd', { 'data-testid': 'about-software' },
    `Kinora ${version}`.trim(), ` (speaks PeerTube's API ${config.serverVersion ?? ''} and ActivityPub)`)))

  main.append(h('article', { class: 'about narrow' },
    h('header', { class: 'about-head' },
      h('h1', { 'data-testid': 'about-name' }, instance.name),
      instance.shortDescription ? h('p', { class: 'lead', 'data-testid': 'about-short' }, instance.shortDescription) : null),
    block('description', 'What this instance is', instance.description),
    h('dl', { class: 'facts' }, facts),
    block('terms', 'Rules', instance.terms),
    block('code-of-conduct', 'Code of conduct', instance.codeOfConduct),
    block('moderation', 'Moderation', instance.moderationInformation),
    block('administrators', 'Who runs it (contact)', instance.administrator),
    block('creation-reason', 'Why it exists', instance.creationReason),
    block('maintenance', 'How long it will run', instance.maintenanceLifetime),
    block('business-model', 'How it is paid for', instance.businessModel),
    block('hardware', 'Its machine', instance.hardwareInformation),
    h('section', { class: 'about-block', 'aria-labelledby': 'statistics' }, h('h2', { id: 'statistics' }, 'Statistics'), statsArea)))
  try {
    const stats = await api<ServerStats>('/server/stats', { signal })
    statsArea.replaceChildren(statistics(stats))
  } catch (error) {
    if (!signal.aborted) statsArea.replaceChildren(notice(`The statistics could not be read: ${errorText(error)}`, 'error'))
  }
}
