import { useEffect } from 'preact/hooks';

/** The document title of a screen. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ringside`;
  }, [title]);
}
