import { request } from '../../../lib/api-client';
import type { Import, ImportField, ImportMode, ImportPreview } from '../../../lib/types';

/** previewImport reads the file's encoding, delimiter, headers and first rows without importing. */
export function previewImport(file: File): Promise<ImportPreview> {
  const form = new FormData();
  form.append('file', file);
  return request<ImportPreview>('/imports/preview', { method: 'POST', body: form });
}

/** startImport starts importing in the background; poll fetchImport for progress. */
export function startImport(file: File, mapping: Record<string, ImportField>, mode: ImportMode): Promise<Import> {
  const form = new FormData();
  form.append('file', file);
  form.append('mapping', JSON.stringify(mapping));
  form.append('mode', mode);
  return request<Import>('/imports', { method: 'POST', body: form });
}

export function fetchImport(id: number, signal?: AbortSignal): Promise<Import> {
  return request<Import>(`/imports/${id}`, { signal });
}
