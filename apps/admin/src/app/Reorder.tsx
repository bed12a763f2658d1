import { type DragEvent } from 'react';

/**
 * Reordering by keyboard (the ↑ and ↓ buttons, reached with Tab) and by drag: order matters,
 * the first matching rule wins. `group` keeps a drag inside its own list.
 */
export function ReorderButtons({ label, index, count, onMove }: { label: string; index: number; count: number; onMove(from: number, to: number): void }) {
  return (
    <span className="reorder">
      <button type="button" aria-label={`Move ${label} up`} disabled={index === 0} onClick={() => onMove(index, index - 1)}>
        ↑
      </button>
      <button type="button" aria-label={`Move ${label} down`} disabled={index === count - 1} onClick={() => onMove(index, index + 1)}>
        ↓
      </button>
    </span>
  );
}

const MIME = 'application/x-referrals-row';

/** The drag handle of a row (the row itself stays free for typing and selecting text). */
export function DragHandle({ group, index, label }: { group: string; index: number; label: string }) {
  return (
    <span
      className="drag-handle"
      draggable
      title={`Drag to move ${label}`}
      aria-hidden="true"
      data-drag={`${group}:${index}`}
      onDragStart={(e) => {
        e.dataTransfer.setData(MIME, `${group}\n${index}`);
        e.dataTransfer.effectAllowed = 'move';
        e.stopPropagation();
      }}
    >
      ⠿
    </span>
  );
}

/** Props of a row that takes a dragged row of its group: dropping moves that row to this one's place. */
export function dropProps(group: string, index: number, onMove: (from: number, to: number) => void) {
  return {
    'data-drop': `${group}:${index}`,
    onDragOver: (e: DragEvent<HTMLElement>) => {
      if (e.dataTransfer.types.includes(MIME)) e.preventDefault();
    },
    onDrop: (e: DragEvent<HTMLElement>) => {
      const [g, from] = e.dataTransfer.getData(MIME).split('\n');
      if (g !== group || from === undefined) return;
      e.preventDefault();
      e.stopPropagation();
      onMove(Number(from), index);
    },
  };
}
