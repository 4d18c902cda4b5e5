import { isReservedChannel } from '@cometkit/protocol';

/**
 * Finds every subscriber whose pattern matches a channel without looking at the others: a trie of
 * segments where `*` is a child like any other and `**` subscribers hang on the node where it
 * starts. A lookup costs O(segments × wildcard branches), whatever the number of subscribers.
 */
class TrieNode<T> {
  readonly children = new Map<string, TrieNode<T>>();
  /** Subscribers whose pattern ends exactly here. */
  readonly here = new Set<T>();
  /** Subscribers whose pattern is this node's path followed by `**`. */
  readonly deep = new Set<T>();

  isEmpty(): boolean {
    return this.children.size === 0 && this.here.size === 0 && this.deep.size === 0;
  }
}

/**
 * An index from channel patterns to subscribers. A subscriber may hold several patterns. The
 * engine's are groups of subscribers, one per channel list, so that an entry is matched once per group.
 */
export class SubscriptionIndex<T> {
  private readonly root = new TrieNode<T>();
  private entries = 0;

  /** Number of (pattern, subscriber) pairs held. */
  get size(): number {
    return this.entries;
  }

  /** Adds `subscriber` under `segments` (a parsed channel or pattern). */
  add(segments: readonly string[], subscriber: T): void {
    let node = this.root;
    const last = segments.length - 1;
    for (let i = 0; i < last; i++) node = child(node, segments[i]!);
    const tail = segments[last]!;
    const set = tail === '**' ? node.deep : child(node, tail).here;
    if (!set.has(subscriber)) {
      set.add(subscriber);
      this.entries++;
    }
  }

  /** Removes `subscriber` from `segments`, pruning nodes left empty. */
  remove(segments: readonly string[], subscriber: T): void {
    const path: TrieNode<T>[] = [this.root];
    const last = segments.length - 1;
    for (let i = 0; i < segments.length; i++) {
      if (i === last && segments[i] === '**') break;
      const next = path[path.length - 1]!.children.get(segments[i]!);
      if (!next) return;
      path.push(next);
    }
    const node = path[path.length - 1]!;
    const set = segments[last] === '**' ? node.deep : node.here;
    if (!set.delete(subscriber)) return;
    this.entries--;
    for (let i = path.length - 1; i > 0 && path[i]!.isEmpty(); i--) {
      path[i - 1]!.children.delete(segments[i - 1]!);
    }
  }

  /**
   * Calls `visit` for each subscriber matching the exact channel `segments`. A subscriber holding
   * two patterns that both match is visited twice; callers deduplicate (by cursor position).
   */
  forEachMatch(segments: readonly string[], visit: (subscriber: T) => void): void {
    if (isReservedChannel(segments)) {
      // Bayeux's `meta/…` and `service/…` are never matched by a wildcard, only by their name.
      const literal = this.root.children.get(segments[0]!);
      if (literal) walk(literal, segments, 1, visit);
      return;
    }
    walk(this.root, segments, 0, visit);
  }
}

function child<T>(node: TrieNode<T>, segment: string): TrieNode<T> {
  let next = node.children.get(segment);
  if (!next) {
    next = new TrieNode<T>();
    node.children.set(segment, next);
  }
  return next;
}

function walk<T>(node: TrieNode<T>, segments: readonly string[], i: number, visit: (s: T) => void): void {
  if (i === segments.length) {
    for (const subscriber of node.here) visit(subscriber);
    return;
  }
  for (const subscriber of node.deep) visit(subscriber);
  const literal = node.children.get(segments[i]!);
  if (literal) walk(literal, segments, i + 1, visit);
  const star = node.children.get('*');
  if (star) walk(star, segments, i + 1, visit);
}
