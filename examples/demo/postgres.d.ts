import { type SeedSize } from './db.ts';
export declare const DEMO_DATABASE = "shop";
export declare class DemoPostgresError extends Error {
    name: string;
}
export interface DemoPostgres {
    /** postgres://postgres:<random password>@127.0.0.1:<port>/shop */
    url: string;
    port: number;
    /** The postmaster's pid. */
    pid: number;
    /** The temp folder holding the cluster (data/) and its log; removed by stop(). */
    dir: string;
    dataDir: string;
    /** server_version, e.g. "18.4". */
    version: string;
    /** How long the start took (ms): initdb + start, and the seed (schema, load, ANALYZE). */
    timings: {
        startMs: number;
        seedMs: number;
    };
    /** Fast shutdown, then the folder is removed. Idempotent. */
    stop(): Promise<void>;
}
export interface StartDemoPostgresOptions {
    /** Seed the shop (default true). */
    seed?: boolean;
    size?: SeedSize;
    /** Where the temp folder is made (default os.tmpdir()); as root, the postgres OS user must be able to enter it. */
    parentDir?: string;
    log?: (line: string) => void;
}
/** Starts a private PostgreSQL, seeded with the demo shop (about 1–2 s). On any failure it is stopped and removed again. */
export declare function startDemoPostgres(o?: StartDemoPostgresOptions): Promise<DemoPostgres>;
/** Is a postmaster still running on this data folder? (its pid file names a live process). */
export declare function postmasterRunning(dataDir: string): boolean;
