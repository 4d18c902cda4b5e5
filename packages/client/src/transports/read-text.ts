import { fetchOk, httpFailure } from './http';
import type { Failure, RequestOptions } from './types';

/** What {@link readText} reports: text as it arrives, and the end (with a failure, or clean). */
export interface TextReader {
  text(chunk: string): void;
  done(failure?: Failure): void;
}

/**
 * Reads a growing response body as text: with `XMLHttpRequest` where there is one (its
 * `responseText` grows as chunks arrive), else with `fetch` and the body's stream reader (Node).
 * Returns the function that stops it.
 */
export function readText(url: string, request: RequestOptions, reader: TextReader): () => void {
  return typeof XMLHttpRequest === 'function' ? readXhr(url, request, reader) : readFetch(url, request, reader);
}

function readXhr(url: string, request: RequestOptions, reader: TextReader): () => void {
  const xhr = new XMLHttpRequest();
  let seen = 0;
  const take = (): void => {
    const text = xhr.responseText;
    if (text.length > seen) reader.text(text.slice(seen));
    seen = text.length;
  };
  xhr.onprogress = () => xhr.status === 200 && take();
  xhr.onload = () => {
    if (xhr.status !== 200) return reader.done(httpFailure(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')));
    take();
    reader.done();
  };
  xhr.onerror = () => reader.done({ message: 'network error' });
  xhr.open('GET', url);
  xhr.withCredentials = request.credentials;
  for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
  xhr.send();
  return () => {
    xhr.onprogress = xhr.onload = xhr.onerror = null;
    xhr.abort();
  };
}

function readFetch(url: string, request: RequestOptions, reader: TextReader): () => void {
  const controller = new AbortController();
  fetchOk(url, request, { signal: controller.signal })
    .then(async (response) => {
      const body = response.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await body.read();
        if (done) return reader.done();
        reader.text(decoder.decode(value, { stream: true }));
      }
    })
    .catch((failure: Failure) => reader.done(failure.message ? failure : { message: 'network error' }));
  return () => controller.abort();
}
