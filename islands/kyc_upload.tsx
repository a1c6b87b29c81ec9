import { useSignal } from "@preact/signals";

/** The document kinds the form offers, with what each one is (display strings from the server). */
export interface UploadKind {
  value: string;
  label: string;
}

/**
 * The document upload form. Without JavaScript it is a plain multipart form the page itself answers; with
 * it, the file goes to `POST /api/kyc/documents` with a progress bar, and the page reloads to show it.
 * `kind` comes before `file` in the form: the server streams the file and must know its kind first.
 */
export default function KycUpload(props: { kinds: UploadKind[]; initialKind: string; maxMb: number }) {
  const progress = useSignal<number | null>(null);
  const error = useSignal<string | null>(null);

  const onSubmit = (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem("file") as HTMLInputElement).files?.[0];
    if (!file) return; // let the browser's `required` speak
    event.preventDefault();
    if (file.size > props.maxMb * 1024 * 1024) {
      error.value = `This file is larger than ${props.maxMb} MB. Please choose a smaller one.`;
      return;
    }
    error.value = null;
    progress.value = 0;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/kyc/documents");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        const kind = (form.elements.namedItem("kind") as HTMLSelectElement).value;
        location.assign(`/dashboard/verification?uploaded=${encodeURIComponent(kind)}`);
        return;
      }
      progress.value = null;
      try {
        error.value = JSON.parse(xhr.responseText).error.message;
      } catch {
        error.value = "The upload failed. Please try again.";
      }
    };
    xhr.onerror = () => {
      progress.value = null;
      error.value = "The connection was lost during the upload. Please try again.";
    };
    xhr.send(new FormData(form));
  };

  const busy = progress.value !== null;
  return (
    <form
      method="post"
      enctype="multipart/form-data"
      action="/dashboard/verification"
      class="grid gap-4"
      onSubmit={onSubmit}
    >
      <div>
        <label for="kyc-kind" class="text-sm font-medium">Document</label>
        <select
          id="kyc-kind"
          name="kind"
          class="mt-1.5 block w-full rounded-lg border border-line bg-surface px-3 py-2.5 text-base text-ink"
        >
          {props.kinds.map((k) => (
            <option key={k.value} value={k.value} selected={k.value === props.initialKind}>{k.label}</option>
          ))}
        </select>
      </div>
      <div>
        <label for="kyc-file" class="text-sm font-medium">File</label>
        <p id="kyc-file-hint" class="text-sm text-muted">JPEG, PNG or PDF, at most {props.maxMb} MB.</p>
        <input
          id="kyc-file"
          name="file"
          type="file"
          required
          accept="image/jpeg,image/png,application/pdf"
          aria-describedby={error.value ? "kyc-file-hint kyc-upload-error" : "kyc-file-hint"}
          class="mt-1.5 block w-full text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-raised file:px-3 file:py-2"
        />
      </div>
      {busy && (
        <div>
          <progress class="w-full" max={100} value={progress.value!} aria-label="Upload progress">
            {progress.value}%
          </progress>
          <p class="text-sm text-muted" aria-live="polite">Uploading… {progress.value}%</p>
        </div>
      )}
      {error.value && (
        <p id="kyc-upload-error" role="alert" class="text-sm font-medium text-red-700 dark:text-red-400">
          {error.value}
        </p>
      )}
      <div>
        <button type="submit" class="btn-primary" disabled={busy}>Upload</button>
      </div>
    </form>
  );
}
