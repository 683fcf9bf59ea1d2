// Owns the modal dialog: a native <dialog> opened with showModal(), so Escape closes it, focus stays inside and
// the page behind is inert; closing by any means calls onClose.

import { useEffect, useRef, type ReactNode } from 'react';

/** A modal <dialog>: Escape and Cancel close it (the browser's own handling), focus stays inside. */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="modal" aria-label={title} onClose={onClose}>
      <h2>{title}</h2>
      {children}
    </dialog>
  );
}
