// The player's peer-to-peer controls in its settings panel: the viewer's switch and a line
// saying how many bytes came from peers and from the server (both with data attributes for
// tests: data-state, data-p2p-bytes, data-http-bytes, data-p2p-segments, data-http-segments,
// data-uploaded-bytes, data-checked, data-rejected, data-peers).

import { formatBytes, h } from './dom'
import type { TransferStats } from './p2p'
import type { P2PDecision } from './p2p-settings'

export interface P2PControls {
  /** The label, the switch and the statistics line, for the settings panel's grid. */
  elements: HTMLElement[]
  /** Shows what was decided (on, off, or unavailable and why). */
  showDecision: (decision: P2PDecision | null) => void
  /** Shows the transfer statistics. */
  showStats: (stats: TransferStats) => void
  /** Called with the viewer's new choice. */
  onChange: (listener: (enabled: boolean) => void) => void
}

/** Statistics before anything was loaded. */
export function emptyStats (): TransferStats {
  return { p2pBytes: 0, httpBytes: 0, p2pSegments: 0, httpSegments: 0, uploadedBytes: 0, checkedSegments: 0, rejectedSegments: 0, peers: 0 }
}

export function p2pControls (id: string): P2PControls {
  const toggle = h('input', { type: 'checkbox', id, class: 'player-p2p-toggle', disabled: true, 'data-testid': 'p2p-toggle' })
  const stats = h('p', { class: 'player-p2p-stats', 'data-testid': 'p2p-stats', 'data-state': 'pending' })
  const label = h('label', { for: id, title: 'Share this video with other viewers while you watch it' }, 'Peer-to-peer')
  let sharing = false
  let last = emptyStats()
  const paint = (): void => {
    stats.dataset.p2pBytes = String(last.p2pBytes)
    stats.dataset.httpBytes = String(last.httpBytes)
    stats.dataset.p2pSegments = String(last.p2pSegments)
    stats.dataset.httpSegments = String(last.httpSegments)
    stats.dataset.uploadedBytes = String(last.uploadedBytes)
    stats.dataset.checked = String(last.checkedSegments)
    stats.dataset.rejected = String(last.rejectedSegments)
    stats.dataset.peers = String(last.peers)
    const server = `from the server ${formatBytes(last.httpBytes)}`
    if (!sharing) { stats.textContent = `Downloaded ${server}`; return }
    const peers = last.peers === 1 ? '1 peer' : `${last.peers} peers`
    const refused = last.rejectedSegments ? `, ${last.rejectedSegments} refused` : ''
    stats.textContent = `From peers ${formatBytes(last.p2pBytes)} · ${server} · ${peers}${refused}`
  }
  return {
    elements: [label, toggle, stats],
    showDecision (decision) {
      sharing = decision?.enabled === true
      toggle.checked = sharing
      toggle.disabled = decision?.available !== true
      toggle.title = decision?.unavailableReason ?? ''
      stats.dataset.state = decision === null ? 'unsupported' : sharing ? 'on' : decision.available ? 'off' : 'unavailable'
      last = emptyStats()
      paint()
    },
    showStats (next) { last = next; paint() },
    onChange (listener) { toggle.addEventListener('change', () => { listener(toggle.checked) }) }
  }
}
