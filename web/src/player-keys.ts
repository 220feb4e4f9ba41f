// Player keyboard shortcuts: space/k play-pause, j/l ±10 s, ←/→ ±5 s, ↑/↓ volume (when the
// player has focus, so the page still scrolls otherwise), m mute, f full screen, 0–9 jump to
// 0–90 %, Home/End. Typing in a form field is never taken over, and space/enter keep
// pressing the focused button or link.

export interface ShortcutActions {
  toggle: () => void
  seekBy: (seconds: number) => void
  seekTo: (ratio: number) => void
  volumeBy: (step: number) => void
  mute: () => void
  fullscreen: () => void
}

function typing (target: Element | null): boolean {
  if (!target) return false
  if (target instanceof HTMLInputElement) return target.type !== 'range' && target.type !== 'checkbox' && target.type !== 'button'
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || (target as HTMLElement).isContentEditable
}

export function bindShortcuts (on: HTMLElement | Document, player: HTMLElement, actions: ShortcutActions): () => void {
  const listener = (event: Event): void => {
    const key = event as KeyboardEvent
    if (key.defaultPrevented || key.ctrlKey || key.metaKey || key.altKey) return
    const target = key.target as Element | null
    if (typing(target)) return
    const activates = Boolean(target?.closest?.('button, a, summary'))
    const inPlayer = player.contains(target) || document.fullscreenElement === player
    const steps: Record<string, (() => void) | undefined> = {
      ' ': activates ? undefined : actions.toggle,
      k: actions.toggle,
      j: () => actions.seekBy(-10),
      l: () => actions.seekBy(10),
      ArrowLeft: () => actions.seekBy(-5),
      ArrowRight: () => actions.seekBy(5),
      ArrowUp: inPlayer ? () => actions.volumeBy(0.05) : undefined,
      ArrowDown: inPlayer ? () => actions.volumeBy(-0.05) : undefined,
      m: actions.mute,
      f: actions.fullscreen,
      Home: inPlayer ? () => actions.seekTo(0) : undefined,
      End: inPlayer ? () => actions.seekTo(1) : undefined
    }
    const digit = /^[0-9]$/.test(key.key) ? () => actions.seekTo(Number(key.key) / 10) : undefined
    const step = digit ?? steps[key.key.length === 1 ? key.key.toLowerCase() : key.key]
    if (!step) return
    key.preventDefault()
    step()
  }
  on.addEventListener('keydown', listener)
  return () => on.removeEventListener('keydown', listener)
}
