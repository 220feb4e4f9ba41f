// Storyboard previews: one sprite image holds a grid of frames, one every spriteDuration
// seconds, left to right then top to bottom.

import type { Storyboard } from './types'

export interface SpriteCell { url: string, x: number, y: number, width: number, height: number }

/** The cell of the sprite that shows `time`, or null when the time is outside it. */
export function spriteCell (board: Storyboard, time: number): SpriteCell | null {
  if (!board.spriteWidth || !board.spriteHeight || !board.spriteDuration) return null
  const columns = Math.max(1, Math.floor(board.totalWidth / board.spriteWidth))
  const rows = Math.max(1, Math.floor(board.totalHeight / board.spriteHeight))
  const index = Math.min(columns * rows - 1, Math.max(0, Math.floor(time / board.spriteDuration)))
  return {
    url: board.fileUrl ?? board.storyboardPath,
    x: (index % columns) * board.spriteWidth,
    y: Math.floor(index / columns) * board.spriteHeight,
    width: board.spriteWidth,
    height: board.spriteHeight
  }
}

/** Paints a cell into an element as a background (the sprite is loaded once by the browser). */
export function paintCell (element: HTMLElement, cell: SpriteCell): void {
  element.style.width = `${cell.width}px`
  element.style.height = `${cell.height}px`
  element.style.backgroundImage = `url("${cell.url.replace(/["\\\n\r]/g, (c) => encodeURIComponent(c))}")`
  element.style.backgroundPosition = `-${cell.x}px -${cell.y}px`
}
