"""nanoGPT's Shakespeare-char run in PyTorch, started from weights Basalt initialised.

Separates "initial weights" from "training" when Basalt's and PyTorch's final losses differ: export Basalt's
initial model without training it, then train it here with nanoGPT's loop (its own batches).

    ./basalt train --data DATA --tokenizer char.json --arch gpt2 --bias false --decay-embeddings true \
        --layers 4 --heads 4 --dim 128 --context 64 --batch 12 --steps 1 --lr 0 --min-lr 0 --warmup 0 \
        --seed 1337 --out init0        # AdamW at lr 0 leaves the weights as initialised
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tools/pytorch/train_from_basalt_init.py \
        init0/hf/model.safetensors [SEED] [EVAL_BATCHES_AT_THE_END]

Reads the Hugging Face GPT2LMHeadModel safetensors Basalt writes (Conv1D weights transposed back to nn.Linear;
zero biases are not loaded, nanoGPT's model has none), trains 2000 steps of nanoGPT's recipe with tanh GELU (as
Basalt's GPT-2), and prints train/val estimates every 500 steps (20 batches; the last with EVAL_BATCHES_AT_THE_END,
default 400).
"""
import sys, json, struct, numpy as np, torch, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); import nanogpt_char as n
torch.set_num_threads(2); torch.manual_seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1337)
final_batches = int(sys.argv[3]) if len(sys.argv) > 3 else 400
train, val, vocab = n.load_char_data('/work/shared/data/corpus/tinyshakespeare.txt')
r = dict(n.RECIPE)
gb = n.make_get_batch(train, val, r['block_size'], r['batch_size'])
model, opt = n.build(vocab, 'tanh', r, 'nanogpt')
f = open(sys.argv[1], 'rb'); hn = struct.unpack('<Q', f.read(8))[0]; h = json.loads(f.read(hn)); base = 8 + hn
raw = open(sys.argv[1], 'rb').read()
def t(name):
    m = h[name]; a, b = m['data_offsets']
    return torch.from_numpy(np.frombuffer(raw[base + a: base + b], dtype=np.float32).reshape(m['shape']).copy())
sd = model.state_dict()
new = {}
for k in sd:
    src = k if k in h else None
    if k == 'lm_head.weight': src = 'transformer.wte.weight'
    v = t(src)
    if any(k.endswith(s) for s in ('c_attn.weight', 'c_proj.weight', 'c_fc.weight')): v = v.t().contiguous()
    assert v.shape == sd[k].shape, (k, v.shape, sd[k].shape)
    new[k] = v
model.load_state_dict(new)
X, Y = gb('train')
for it in range(2001):
    lr = n.get_lr(it, 1e-3, 1e-4, 100, 2000)
    for g in opt.param_groups: g['lr'] = lr
    if it % 500 == 0:
        l = n.estimate_loss(model, gb, 20 if it < 2000 else final_batches); print(it, round(l['train'], 4), round(l['val'], 4), flush=True)
    if it == 2000: break
    _, X, Y = n.train_step(model, opt, X, Y, gb, 1.0)
