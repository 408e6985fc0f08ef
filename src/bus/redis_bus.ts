/**
 * The bus of a cluster, on Redis (`ioredis`, which reconnects by itself):
 * one stream that every node appends to (`XADD`, bounded with
 * `MAXLEN ~`) and reads back from its last id (`XREAD BLOCK`), so every
 * node sees one order; names held under one key per look-alike key (a Lua
 * script takes all of a name's keys or none); a heartbeat key per node,
 * whose lapse makes one surviving node (the one that wins `SET NX` on a
 * reaper key) announce the dead node's members' leaves and free their
 * names.
 *
 * While Redis is away the node goes on alone: what it publishes waits in
 * a bounded queue, in order, and goes out when Redis is back; what did not
 * fit is counted. Entries are deduplicated by each node's own count, so
 * an append retried after a lost connection is read once.
 *
 * @module
 */

import { Redis } from "ioredis";
import type { Bus, BusBacklog, BusBody, BusEntry, BusSink } from "./bus.ts";
import { decodeEntry, encodeEntry } from "./bus_codec.ts";

/** Options of {@linkcode RedisBus}. */
export interface RedisBusOptions {
  /**
   * This node's name (`--node-name`); a start number is added, so a
   * restarted node is a new node on the bus.
   * @default {"node"}
   */
  name?: string;
  /**
   * Milliseconds without a heartbeat after which a node is taken for dead
   * (`--node-timeout`).
   * @default {15000}
   */
  nodeTimeoutMs?: number;
  /**
   * Most entries kept in the stream (`MAXLEN ~`): the shared recent
   * history of the cluster.
   * @default {100000}
   */
  streamLength?: number;
  /**
   * Most entries kept while Redis is away; more are dropped and counted.
   * @default {10000}
   */
  bufferSize?: number;
  /**
   * The prefix of every key.
   * @default {"chat:"}
   */
  prefix?: string;
  /**
   * Console lines.
   * @default {() => {}}
   */
  log?: (line: string) => void;
}

// Takes every key of a name for its owner, unless one is held by a member
// of a live node (whose heartbeat key exists).
const RESERVE = `
for _, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v and v ~= ARGV[1] then
    local node = string.match(v, '^(%S+)')
    if node and redis.call('EXISTS', ARGV[3] .. 'node:' .. node) == 1 then
      return 0
    end
  end
end
for _, k in ipairs(KEYS) do
  redis.call('SET', k, ARGV[1])
  redis.call('SADD', ARGV[2], k)
end
return 1`;

// Lets go of the keys its owner holds.
const RELEASE = `
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then
    redis.call('DEL', k)
  end
  redis.call('SREM', ARGV[2], k)
end
return 1`;

// Frees the names a dead node's members held.
const REAP = `
local prefix = ARGV[1]
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('GET', k)
  if v and string.sub(v, 1, #prefix) == prefix then
    redis.call('DEL', k)
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

// Entries appended in one round trip.
const BATCH = 512;

/**
 * A bus on one Redis stream.
 *
 * @example
 * ```ts no-eval
 * import { RedisBus } from "./redis_bus.ts";
 *
 * const bus = await RedisBus.connect("redis://127.0.0.1:6379/0", { name: "a" });
 * await bus.start({ entry: (e, mine) => console.log(e, mine), status() {}, skipped() {} });
 * bus.publish({ kind: "sync" }, 0, Date.now());
 * await bus.close();
 * ```
 */
export class RedisBus implements Bus {
  /** This node on the bus: its name, a slash, its start. */
  readonly node: string;
  #url: string;
  #writer: Redis;
  #reader: Redis;
  #prefix: string;
  #timeoutMs: number;
  #streamLength: number;
  #bufferSize: number;
  #log: (line: string) => void;
  #sink: BusSink | null = null;
  #seq = 0;
  #lastId = "0-0";
  #cluster: string | undefined;
  #seen = new Map<string, number>();
  // This node's entries sent and not read back yet, by count; and how the
  // text of one starts.
  #sent = new Map<number, BusEntry>();
  #mark: string;
  #queue: BusEntry[] = [];
  #flushing = false;
  #dropped = 0;
  #replayed = 0;
  #degraded: string | null = null;
  #closed = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #reading: Promise<void> | null = null;
  #lastError: string | null = null;

  private constructor(url: string, options: RedisBusOptions) {
    this.#url = url;
    const name = options.name ?? "node";
    this.node = `${name}/${Date.now().toString(36)}${
      Math.floor(Math.random() * 1296).toString(36)
    }`;
    this.#mark = `{"node":${JSON.stringify(this.node)},"seq":`;
    this.#prefix = options.prefix ?? "chat:";
    this.#timeoutMs = options.nodeTimeoutMs ?? 15_000;
    this.#streamLength = options.streamLength ?? 100_000;
    this.#bufferSize = options.bufferSize ?? 10_000;
    this.#log = options.log ?? (() => {});
    const redis = () =>
      new Redis(url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 2000,
        retryStrategy: (times) => Math.min(50 * times, 500),
      });
    this.#writer = redis();
    this.#reader = redis();
    // Errors are told by #down, once; ioredis would print each retry.
    this.#writer.on("error", (error: Error) => this.#lastError = error.message);
    this.#reader.on("error", () => {});
    this.#writer.on("ready", () => this.#up());
    this.#writer.on("close", () => this.#down("connection lost"));
  }

  /**
   * Connects to Redis.
   *
   * @param url `redis://HOST:PORT[/DB]`.
   * @param options The node's name, timeouts and bounds.
   * @returns The bus, connected, not reading yet.
   * @throws {Error} `Cannot join the cluster at URL: <why>`.
   */
  static async connect(
    url: string,
    options: RedisBusOptions = {},
  ): Promise<RedisBus> {
    const bus = new RedisBus(url, options);
    try {
      await Promise.all([bus.#writer.connect(), bus.#reader.connect()]);
      const last = await bus.#writer.xrevrange(
        bus.#key("log"),
        "+",
        "-",
        "COUNT",
        1,
      );
      bus.#lastId = last[0]?.[0] ?? "0-0";
      // The first node to start draws the cluster's id; the rest read it.
      await bus.#writer.set(
        bus.#key("cluster"),
        crypto.randomUUID().replaceAll("-", "").slice(0, 16),
        "NX",
      );
      const cluster = await bus.#writer.get(bus.#key("cluster"));
      // A foreign value is not announced.
      if (cluster !== null && /^[A-Za-z0-9_-]{1,64}$/.test(cluster)) {
        bus.#cluster = cluster;
      }
    } catch (error) {
      bus.#closed = true;
      bus.#writer.disconnect();
      bus.#reader.disconnect();
      throw new Error(
        `Cannot join the cluster at ${url}: ${
          bus.#lastError ?? (error as Error).message
        }`,
      );
    }
    return bus;
  }

  /** The cluster's id, drawn by its first node (`chat:cluster`). */
  get cluster(): string | undefined {
    return this.#cluster;
  }

  /** Whether Redis is reachable now. */
  get up(): boolean {
    return this.#degraded === null && this.#writer.status === "ready";
  }

  /** What waits for Redis, and what was dropped over the bound. */
  get backlog(): BusBacklog {
    return { waiting: this.#queue.length, dropped: this.#dropped };
  }

  /**
   * Wins a task for this node unless another node asked first
   * (`SET NX`, kept a minute); `false` while Redis is away.
   *
   * @param task The task.
   * @returns Whether this node does it.
   */
  async elect(task: string): Promise<boolean> {
    if (!this.up) return false;
    try {
      return await this.#once(`task:${task}`);
    } catch {
      return false;
    }
  }

  /** The stream's key. */
  get stream(): string {
    return this.#key("log");
  }

  /**
   * Starts the heartbeat and reading from the stream's end.
   *
   * @param sink Where entries go.
   */
  start(sink: BusSink): Promise<void> {
    this.#sink = sink;
    const every = Math.max(100, Math.floor(this.#timeoutMs / 4));
    this.#timer = setInterval(() => this.#beat(), every);
    this.#reading = this.#read();
    return this.#beat();
  }

  /**
   * Appends an entry (or keeps it, in order, while Redis is away).
   *
   * @param body What it says.
   * @param member The member it is about.
   * @param time The clock.
   * @returns The entry.
   */
  publish(body: BusBody, member: number, time: number): BusEntry {
    // The node first: its own entries are known by their start when they
    // come back, and not parsed again.
    const entry = {
      node: this.node,
      seq: ++this.#seq,
      member,
      time,
      ...body,
    } as BusEntry;
    if (this.#closed) return entry;
    if (this.#queue.length >= this.#bufferSize) {
      if (this.#dropped++ === 0) {
        this.#log(
          `cluster: more than ${this.#bufferSize} entries waiting for Redis; dropping the rest`,
        );
      }
      return entry;
    }
    this.#queue.push(entry);
    if (this.#sent.size < this.#bufferSize + BATCH) {
      this.#sent.set(entry.seq, entry);
    }
    if (!this.up) this.#replayed++;
    this.#flush();
    return entry;
  }

  /**
   * Takes a name's keys for a member of this node, unless a member of a
   * live node holds one; while Redis is away, every name is free (the
   * node's hub still checks its own).
   *
   * @param keys The name's keys.
   * @param member The member.
   * @returns Whether they are this member's now.
   */
  async reserve(keys: readonly string[], member: number): Promise<boolean> {
    if (!this.up || keys.length === 0) return true;
    try {
      const got = await this.#writer.eval(
        RESERVE,
        keys.length,
        ...keys.map((key) => this.#key(`name:${key}`)),
        this.#owner(member),
        this.#key(`names:${this.node}`),
        this.#prefix,
      );
      return got === 1;
    } catch {
      return true;
    }
  }

  /**
   * Lets go of a name's keys, if this member holds them.
   *
   * @param keys The name's keys.
   * @param member The member.
   */
  release(keys: readonly string[], member: number): void {
    if (!this.up || keys.length === 0) return;
    this.#writer.eval(
      RELEASE,
      keys.length,
      ...keys.map((key) => this.#key(`name:${key}`)),
      this.#owner(member),
      this.#key(`names:${this.node}`),
    ).catch(() => {});
  }

  /**
   * Sends what is waiting (briefly), lets the node's names go, stops.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.up) {
      await Promise.race([
        this.#drain(),
        new Promise((resolve) => setTimeout(resolve, 1000)),
      ]);
      try {
        await this.#writer.eval(
          REAP,
          2,
          this.#key(`names:${this.node}`),
          this.#key("nodes"),
          `${this.node} `,
          this.node,
        );
        await this.#writer.del(this.#key(`node:${this.node}`));
      } catch {
        // Redis went away: the others reap this node when its heartbeat lapses.
      }
    }
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#writer.disconnect();
    this.#reader.disconnect();
    await this.#reading;
  }

  // Takes a key for this node for a minute unless a node holds it: one
  // node wins each task.
  async #once(name: string): Promise<boolean> {
    const won = await this.#writer.set(
      this.#key(name),
      this.node,
      "PX",
      60_000,
      "NX",
    );
    return won === "OK";
  }

  #key(name: string): string {
    return this.#prefix + name;
  }

  #owner(member: number): string {
    return `${this.node} ${member}`;
  }

  // --- Health ---------------------------------------------------------------

  #down(reason: string): void {
    if (this.#closed || this.#degraded !== null) return;
    this.#degraded = reason;
    this.#replayed = this.#queue.length;
    this.#dropped = 0;
    this.#sink?.status({
      state: "degraded",
      reason: `${this.#url}: ${reason}`,
    });
  }

  #up(): void {
    if (this.#closed || this.#degraded === null) return;
    this.#degraded = null;
    this.#flush();
    this.#drain().then(() => {
      if (this.#degraded !== null) return;
      this.#sink?.status({
        state: "restored",
        replayed: this.#replayed,
        dropped: this.#dropped,
      });
      this.#replayed = 0;
      this.#dropped = 0;
    });
    this.#beat();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && this.up && !this.#closed) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  // --- Writing ----------------------------------------------------------------

  #flush(): void {
    if (this.#flushing || !this.up || this.#queue.length === 0) return;
    this.#flushing = true;
    const batch = this.#queue.splice(0, BATCH);
    const pipeline = this.#writer.pipeline();
    const length = String(this.#streamLength);
    for (const entry of batch) {
      pipeline.xadd(
        this.stream,
        "MAXLEN",
        "~",
        length,
        "*",
        "e",
        encodeEntry(entry),
      );
    }
    pipeline.exec().then((results) => {
      // A failed append (the connection went): that entry and the rest go
      // again; readers drop what had arrived by its count.
      const failed = results?.findIndex(([error]) => error !== null) ?? 0;
      if (failed >= 0) this.#queue.unshift(...batch.slice(failed));
    }, () => {
      this.#queue.unshift(...batch);
    }).finally(() => {
      this.#flushing = false;
      this.#flush();
    });
  }

  // --- Reading ----------------------------------------------------------------

  async #read(): Promise<void> {
    while (!this.#closed) {
      let result: [string, [string, string[]][]][] | null;
      try {
        result = await this.#reader.xread(
          "COUNT",
          1000,
          "BLOCK",
          1000,
          "STREAMS",
          this.stream,
          this.#lastId,
        ) as [string, [string, string[]][]][] | null;
      } catch {
        if (this.#closed) return;
        this.#down("connection lost");
        await this.#ready(this.#reader);
        continue;
      }
      for (const [, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          this.#lastId = id;
          this.#take(id, fields);
        }
      }
    }
  }

  #take(id: string, fields: string[]): void {
    const at = fields.indexOf("e");
    const text = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
    let entry = this.#own(text);
    if (entry === undefined) {
      const decoded = text !== undefined
        ? decodeEntry(text)
        : { ok: false as const, why: "no entry field" };
      if (!decoded.ok) {
        this.#sink?.skipped(id, decoded.why);
        return;
      }
      entry = decoded.entry;
    }
    const seen = this.#seen.get(entry.node) ?? 0;
    if (entry.seq <= seen) return; // read already (an append retried)
    this.#seen.set(entry.node, entry.seq);
    try {
      this.#sink?.entry(entry, entry.node === this.node);
    } catch (error) {
      this.#sink?.skipped(id, `failed: ${(error as Error).message}`);
    }
  }

  // One of this node's entries, read back: the entry it sent (its text is
  // this node's own writing), or `undefined` to decode the text.
  #own(text: string | undefined): BusEntry | undefined {
    if (text === undefined || !text.startsWith(this.#mark)) return undefined;
    const end = text.indexOf(",", this.#mark.length);
    const seq = Number(text.slice(this.#mark.length, end));
    const entry = this.#sent.get(seq);
    if (entry !== undefined) this.#sent.delete(seq);
    return entry;
  }

  #ready(redis: Redis): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#closed || redis.status === "ready") resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  }

  // --- Liveness ---------------------------------------------------------------

  async #beat(): Promise<void> {
    if (!this.up) return;
    const ttl = Math.max(200, Math.floor(this.#timeoutMs * 2 / 3));
    try {
      await this.#writer.multi()
        .set(this.#key(`node:${this.node}`), String(Date.now()), "PX", ttl)
        .sadd(this.#key("nodes"), this.node)
        // Alive: taken for dead during an outage, it may be reaped again.
        .del(this.#key(`reap:${this.node}`))
        .exec();
      const nodes = await this.#writer.smembers(this.#key("nodes"));
      for (const node of nodes) {
        if (node === this.node) continue;
        if (await this.#writer.exists(this.#key(`node:${node}`)) === 1) {
          continue;
        }
        if (!await this.#once(`reap:${node}`)) continue;
        this.#log(`cluster: node ${node} stopped answering; its members left`);
        this.publish({ kind: "reap", dead: node }, 0, Date.now());
        await this.#writer.eval(
          REAP,
          2,
          this.#key(`names:${node}`),
          this.#key("nodes"),
          `${node} `,
          node,
        );
      }
    } catch {
      // Redis went away meanwhile: #down tells it.
    }
  }
}
