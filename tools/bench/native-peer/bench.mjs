#!/usr/bin/env node
// Native llama.cpp baseline for Basalt's `bench` command, in the spirit of llama-bench.
//
// llama.cpp comes prebuilt from the npm package @node-llama-cpp/linux-x64 (pulled in by
// node-llama-cpp). That package ships one libggml-cpu-<variant>.so per x86 CPU generation;
// ggml_backend_load_all_from_path() scores every variant against the host's CPUID and loads
// the best one. This script reports the variant that was really loaded (from the ggml
// "load_backend" log line, confirmed against /proc/self/maps).
//
// Timing uses node-llama-cpp's raw addon context (LlamaContext._ctx): initBatch/addToBatch/
// decodeBatch map 1:1 onto llama_batch_init/common_batch_add/llama_decode+llama_synchronize.
// The high-level sequence API (evaluate/controlledEvaluate) adds a batching scheduler,
// sampling and token bookkeeping on top, so it is deliberately bypassed.
//
// Usage: node bench.mjs --model PATH [-p N] [-n N] [-t N] [-r N] [-d N] [--json]
//                       [--flash-attn auto|on|off] [--seed N] [--verbose]

import fs from "node:fs";
import path from "node:path";
import {performance} from "node:perf_hooks";
import {getLlama, LlamaLogLevel, GgufFileType} from "node-llama-cpp";

const NLC_VERSION = "3.22.1";

function usage(exitCode) {
    const text = `Usage: bench.mjs --model PATH [options]
  --model PATH              GGUF model file (required)
  -p, --prompt-tokens N     prefill tokens, evaluated as one batch from an empty KV cache (default 128)
  -n, --gen-tokens N        decode tokens, one llama_decode per token (default 64)
  -t, --threads N           CPU threads for llama.cpp (default 2)
  -r, --repetitions N       measured runs of each test, after one warm-up (default 5)
  -d, --depth N             tokens already in the KV cache before the decode measurement (default 0)
  --flash-attn MODE         auto | on | off (default auto, llama.cpp's own default)
  --seed N                  seed for the random token ids (default 42)
  --json                    print a single JSON object
  --verbose                 also print the llama.cpp/ggml log to stderr
  -h, --help                this text
`;
    (exitCode === 0 ? process.stdout : process.stderr).write(text);
    process.exit(exitCode);
}

function parseArgs(argv) {
    const opts = {
        model: null, promptTokens: 128, genTokens: 64, threads: 2, repetitions: 5, depth: 0,
        json: false, flashAttn: "auto", seed: 42, verbose: false
    };
    const intOpt = (name, value, min) => {
        if (value === undefined || !/^\d+$/.test(value)) {
            console.error(`error: ${name} needs a non-negative integer, got ${value === undefined ? "nothing" : JSON.stringify(value)}`);
            usage(2);
        }
        const n = Number(value);
        if (n < min) {
            console.error(`error: ${name} must be >= ${min}`);
            usage(2);
        }
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        let arg = argv[i];
        let inline;
        const eq = arg.indexOf("=");
        if (arg.startsWith("--") && eq > 0) {
            inline = arg.slice(eq + 1);
            arg = arg.slice(0, eq);
        }
        const next = () => (inline !== undefined ? inline : argv[++i]);
        switch (arg) {
            case "--model": case "-m": opts.model = next(); break;
            case "-p": case "--prompt-tokens": opts.promptTokens = intOpt(arg, next(), 1); break;
            case "-n": case "--gen-tokens": opts.genTokens = intOpt(arg, next(), 1); break;
            case "-t": case "--threads": opts.threads = intOpt(arg, next(), 1); break;
            case "-r": case "--repetitions": opts.repetitions = intOpt(arg, next(), 1); break;
            case "-d": case "--depth": opts.depth = intOpt(arg, next(), 0); break;
            case "--seed": opts.seed = intOpt(arg, next(), 0); break;
            case "--flash-attn": case "-fa": {
                const v = String(next()).toLowerCase();
                if (["auto"].includes(v)) opts.flashAttn = "auto";
                else if (["on", "1", "true", "yes"].includes(v)) opts.flashAttn = true;
                else if (["off", "0", "false", "no"].includes(v)) opts.flashAttn = false;
                else { console.error(`error: --flash-attn expects auto|on|off, got ${v}`); usage(2); }
                break;
            }
            case "--json": opts.json = true; break;
            case "--verbose": case "-v": opts.verbose = true; break;
            case "-h": case "--help": usage(0); break;
            default:
                console.error(`error: unknown argument ${arg}`);
                usage(2);
        }
    }
    if (!opts.model) { console.error("error: --model is required"); usage(2); }
    if (!fs.existsSync(opts.model)) { console.error(`error: model not found: ${opts.model}`); process.exit(2); }
    return opts;
}

// xorshift32 (deterministic, fixed seed)
function makeRng(seed) {
    let s = (seed >>> 0) || 0x9e3779b9;
    return () => {
        s ^= s << 13; s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5; s >>>= 0;
        return s / 4294967296;
    };
}

function median(values) {
    const a = [...values].sort((x, y) => x - y);
    const m = a.length >> 1;
    return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

const round = (x, digits = 2) => Number(x.toFixed(digits));

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const log = [];
    const llama = await getLlama({
        gpu: false,                 // CPU backend only
        build: "never",             // never compile; use the prebuilt binaries shipped on npm
        usePrebuiltBinaries: true,
        skipDownload: true,
        progressLogs: false,
        maxThreads: opts.threads,
        logLevel: LlamaLogLevel.debug,
        logger: (level, message) => {
            const line = String(message).replace(/\n+$/, "");
            log.push(line);
            if (opts.verbose) process.stderr.write(`[${level}] ${line}\n`);
        }
    });

    const model = await llama.loadModel({modelPath: opts.model, gpuLayers: 0});

    // (checked after the model load so that the addon's asynchronous log lines have arrived)
    // Which ggml CPU variant did ggml_backend_load_all_from_path() choose?
    const mappedCpuLibs = [...new Set(fs.readFileSync("/proc/self/maps", "utf8").split("\n")
        .map((l) => l.trim().split(/\s+/).slice(5).join(" "))
        .filter((p) => /libggml-cpu[^/]*\.so/.test(p)))];
    const loadLine = log.find((l) => /load_backend: loaded CPU backend from/.test(l));
    const fromLog = loadLine?.match(/libggml-cpu-([A-Za-z0-9_]+)\.so/)?.[1];
    const fromMaps = mappedCpuLibs.map((p) => path.basename(p).match(/libggml-cpu-([A-Za-z0-9_]+)\.so/)?.[1]).filter(Boolean);
    const cpuVariant = fromLog ?? fromMaps[0] ?? "unknown";
    if (fromLog && fromMaps.length && !fromMaps.includes(fromLog))
        console.error(`warning: log says ${fromLog} but /proc/self/maps has ${fromMaps.join(",")}`);
    if (["x64", "sse42", "sandybridge", "ivybridge", "haswell", "unknown"].includes(cpuVariant))
        console.error(`warning: ggml picked the '${cpuVariant}' CPU variant; this CPU may support a better one`);

    const fileTypeNum = model.fileInfo?.metadata?.general?.file_type;
    let fileType = null;
    if (typeof fileTypeNum === "number") {
        const name = GgufFileType?.[fileTypeNum];
        fileType = name ? name.replace(/^MOSTLY_/, "").replace(/^ALL_/, "") : String(fileTypeNum);
    }
    const modelDesc = model.typeDescription;
    let parameters = null;
    try { parameters = model.fileInsights?.totalParameters ?? null; } catch { parameters = null; }
    if (fileType == null) fileType = modelDesc?.split(" ").slice(2).join(" ") || null;

    // Random but valid token ids, uniform over the non-special part of the vocabulary.
    const candidates = [];
    let vocabSize = 0;
    for (const tok of model.iterateAllTokens()) {
        vocabSize++;
        if (!model.isSpecialToken(tok) && !model.isEogToken(tok)) candidates.push(tok);
    }
    if (candidates.length === 0) throw new Error("no non-special tokens in vocabulary");
    const rng = makeRng(opts.seed);
    const randomTokens = (count) => {
        const out = new Uint32Array(count);
        for (let i = 0; i < count; i++) out[i] = candidates[Math.floor(rng() * candidates.length)];
        return out;
    };

    const P = opts.promptTokens, N = opts.genTokens, D = opts.depth;
    const batchSize = Math.max(P, 512);
    const contextSize = D + P + N;
    const context = await model.createContext({
        contextSize,
        batchSize,               // n_batch == n_ubatch in node-llama-cpp: the P-token prompt is one ubatch
        sequences: 1,
        threads: opts.threads,   // sets llama n_threads and n_threads_batch
        flashAttention: opts.flashAttn,
        performanceTracking: false
    });
    const ctx = context._ctx;   // raw AddonContext (llama_context wrapper)
    if (ctx == null || typeof ctx.decodeBatch !== "function")
        throw new Error("node-llama-cpp internals changed: LlamaContext._ctx.decodeBatch not found");
    ctx.setThreads(opts.threads);
    const threadsInUse = ctx.getThreads();
    if (threadsInUse !== opts.threads)
        console.error(`warning: requested ${opts.threads} threads, llama context uses ${threadsInUse}`);
    const SEQ = 0;
    const nBatch = Math.min(context.batchSize ?? batchSize, ctx.getContextSize());
    if (nBatch < P) throw new Error(`batch size ${nBatch} < prompt tokens ${P}`);

    // One llama_decode of `tokens` at positions start..start+len-1; logits only for the last token
    // (as llama_batch_get_one does in llama-bench).
    const decode = async (tokens, start) => {
        ctx.initBatch(tokens.length);
        ctx.addToBatch(SEQ, start, tokens, Uint32Array.of(tokens.length - 1));
        await ctx.decodeBatch();
    };
    const clearKv = () => ctx.disposeSequence(SEQ); // llama_memory_seq_rm(mem, 0, -1, -1)
    const fillDepth = async () => {
        for (let pos = 0; pos < D; pos += nBatch) {
            const len = Math.min(nBatch, D - pos);
            await decode(randomTokens(len), pos);
        }
    };

    const runPrefill = async () => {
        clearKv();
        const tokens = randomTokens(P);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await decode(tokens, 0);
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        return {tps: P / (ms / 1000), ms, cpuCores: (cpu.user + cpu.system) / 1000 / ms};
    };
    const runDecode = async (genTokens) => {
        clearKv();
        await fillDepth();                       // not timed
        const tokens = randomTokens(genTokens);  // like llama-bench: random token per step
        const one = new Uint32Array(1);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < genTokens; i++) {
            one[0] = tokens[i];
            await decode(one, D + i);
        }
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        return {tps: genTokens / (ms / 1000), ms, cpuCores: (cpu.user + cpu.system) / 1000 / ms};
    };

    // Warm-up (unmeasured), then R measured runs of each.
    await runPrefill();
    await runDecode(Math.min(N, 8));
    const prefill = [], decodeRuns = [];
    for (let r = 0; r < opts.repetitions; r++) prefill.push(await runPrefill());
    for (let r = 0; r < opts.repetitions; r++) decodeRuns.push(await runDecode(N));
    clearKv();

    const faRequested = opts.flashAttn === "auto" ? "auto" : (opts.flashAttn ? "on" : "off");
    const faLine = [...log].reverse().find((l) => /Flash Attention (was )?(auto, set to )?(enabled|disabled)/i.test(l));
    const faState = faLine?.match(/(enabled|disabled)/i)?.[1]?.toLowerCase();
    const flashAttnResolved = faState ? `${faRequested} -> ${faState === "enabled" ? "on" : "off"}` : faRequested;
    const weightBuffers = log.filter((l) => /model buffer size/.test(l))
        .map((l) => l.replace(/^.*?:\s*/, "").replace(/\s+/g, " ").trim());

    const result = {
        engine: `llama.cpp (node-llama-cpp ${NLC_VERSION}, ${cpuVariant})`,
        model: path.resolve(opts.model),
        type: fileType,
        model_desc: modelDesc ?? null,   // llama_model_desc(); its size label is llama.cpp's layer-count guess
        parameters: parameters,
        threads: opts.threads,
        prompt_tokens: P,
        gen_tokens: N,
        depth: D,
        prefill_tokens_per_second: round(median(prefill.map((x) => x.tps))),
        decode_tokens_per_second: round(median(decodeRuns.map((x) => x.tps))),
        prefill_runs: prefill.map((x) => round(x.tps)),
        decode_runs: decodeRuns.map((x) => round(x.tps)),
        cpu_variant: cpuVariant,
        cpu_variant_source: fromLog ? "ggml load_backend log + /proc/self/maps" : "/proc/self/maps",
        cpu_backend_library: mappedCpuLibs[0] ?? null,
        llama_cpp_release: llama.llamaCppRelease?.release ?? null,
        threads_in_use: threadsInUse,
        prefill_cpu_cores_busy: round(median(prefill.map((x) => x.cpuCores))),
        decode_cpu_cores_busy: round(median(decodeRuns.map((x) => x.cpuCores))),
        flash_attn: flashAttnResolved,
        context_size: ctx.getContextSize(),
        batch_size: nBatch,
        weight_buffers: weightBuffers,
        repetitions: opts.repetitions,
        vocab_size: vocabSize,
        token_ids: `uniform over ${candidates.length} non-special ids, seed ${opts.seed}`
    };

    if (opts.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
    } else {
        const lines = [
            `engine   : ${result.engine}`,
            `model    : ${result.model} (${result.type ?? "?"}; ${parameters != null ? `${(parameters / 1e6).toFixed(1)}M params; ` : ""}${result.model_desc ?? ""})`,
            `backend  : ${result.cpu_backend_library ?? cpuVariant}; weights: ${weightBuffers.join(" | ") || "?"}`,
            `threads  : ${result.threads} (llama n_threads=${threadsInUse}); flash_attn ${flashAttnResolved}; ctx ${result.context_size}`,
            "",
            `| test            |      t/s (median) | runs (t/s)                     | cpu cores busy |`,
            `| --------------- | ----------------: | ------------------------------ | -------------: |`,
            `| ${`pp${P}`.padEnd(15)} | ${String(result.prefill_tokens_per_second).padStart(17)} | ${result.prefill_runs.join(", ").padEnd(30)} | ${String(result.prefill_cpu_cores_busy).padStart(14)} |`,
            `| ${`tg${N}${D ? ` @ d${D}` : ""}`.padEnd(15)} | ${String(result.decode_tokens_per_second).padStart(17)} | ${result.decode_runs.join(", ").padEnd(30)} | ${String(result.decode_cpu_cores_busy).padStart(14)} |`
        ];
        process.stdout.write(lines.join("\n") + "\n");
    }

    await context.dispose();
    await model.dispose();
    await llama.dispose();
}

main().catch((err) => {
    console.error(err?.stack ?? String(err));
    process.exit(1);
});
