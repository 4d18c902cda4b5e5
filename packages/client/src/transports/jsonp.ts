import { callbackName, globals } from '../callback-name';
import { reportAnswer, type PollAnswer } from './batch';
import type { Transport } from './types';

/**
 * JSONP long-poll: a `<script>` whose body calls a fresh global function with the poll answer (or
 * an error). Works across origins with no CORS. The script and the global are removed afterwards;
 * a late answer finds no function and does nothing (the server guards the call with `typeof`).
 */
export const jsonp: Transport = {
  name: 'jsonp',
  streaming: false,
  heartbeats: false,
  cors: false,
  usable: () => typeof document === 'object',
  open(url, sink) {
    const name = callbackName();
    const script = document.createElement('script');
    let answered = false;
    const stop = (): void => {
      script.onload = script.onerror = null;
      script.remove();
      delete globals[name];
    };
    globals[name] = (answer: PollAnswer) => {
      answered = true;
      reportAnswer(answer, sink);
    };
    script.onload = script.onerror = () => {
      stop();
      if (!answered) sink.fail({ message: 'the JSONP script failed to load' });
    };
    script.async = true;
    script.src = `${url}&callback=${name}`;
    document.head.appendChild(script);
    return stop;
  },
};
