#!/usr/bin/python3
"""torch_ref.py - the PyTorch reference `make bench` times our trainer against.

The same network, loss and update as the C trainer (science.md section 2),
written as a PyTorch user would: CPU, one thread, eager autograd; in float64
(our precision) and in float32 (PyTorch's default, what its users run). The
float32 model starts from the float64 one's weights and data, rounded.

    v_t = a v_{t-1} + (1-a) (W_rec z_{t-1} + W_in x_t),  z_t = relu(v_t)
    y_t = W_out z_t + b_out
    loss = task loss + l2/2 (|W_in|^2 + |W_rec|^2 + |W_out|^2); plain SGD;
    the W_rec diagonal (self-connections) gets no gradient.

rule "bptt" is plain autograd; rule "eprop" detaches z_{t-1} in the recurrent
term and keeps the leak path, which is exactly e-prop with symmetric feedback.

Run by bench/bench.c as `torch_ref.py serve`: one command per line on stdin,
one answer line on stdout (so its iterations interleave with ours):
    version                         -> torch version
    blas                            -> the OpenBLAS torch calls: "openblas VERSION core NAME"
    open NAME B T N NIN NOUT LOSS LEAK L2 LR NEX
                                    -> ok (data and the models built in both precisions, warmed up)
    time RULE K [f64|f32]           -> wall and CPU seconds of one cold iteration, then the
                                       mean of K back-to-back ones (default f64)
    check PATH                      -> max relative gradient error, bptt and eprop
    peak NAME B T ...               -> peak RSS (KiB) of a separate 3-iteration bptt run, and of torch alone
    quit
"""
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.set_default_dtype(torch.float64)


class Net:
    """Parameters, data, and one training iteration (forward, loss, backward, SGD)."""

    def __init__(self, B, T, N, n_in, n_out, loss, leak, l2, lr, n_examples, seed=1, dtype=torch.float64):
        g = torch.Generator().manual_seed(seed)
        dt = dtype
        self.B, self.T, self.N, self.mse = B, T, N, loss == "mse_all"
        self.a, self.c, self.l2, self.lr = leak, 1.0 - leak, l2, lr
        self.W_in = (torch.randn(N, n_in, generator=g) * (2.0 / n_in) ** 0.5).to(dt).requires_grad_()
        W_rec = torch.randn(N, N, generator=g) * (2.0 / N) ** 0.5
        W_rec.fill_diagonal_(0)
        self.W_rec = W_rec.to(dt).requires_grad_()
        lim = (6.0 / (N + n_out)) ** 0.5
        self.W_out = ((torch.rand(n_out, N, generator=g) * 2 - 1) * lim).to(dt).requires_grad_()
        self.b_out = torch.zeros(n_out, dtype=dt, requires_grad=True)
        self.params = [self.W_in, self.W_rec, self.W_out, self.b_out]
        # A fixed training set, like the C side's bench task: [example, t, i].
        self.X = torch.rand(n_examples, T, n_in, generator=g).to(dt)
        self.Y = (torch.randn(n_examples, T, n_out, generator=g) * 0.5).to(dt) if self.mse else None
        self.labels = torch.randint(0, n_out, (n_examples,), generator=g)
        self.perm = torch.randperm(n_examples, generator=g)
        self.k = 0

    def objective(self, x, target, rule):
        """x [T, B, n_in]; target [T, B, n_out] (mse) or class indices [B] (xent)."""
        a, c = self.a, self.c
        u = torch.matmul(x, self.W_in.t())  # input drive of every step at once
        if c != 1.0:
            u = c * u
        u = u.unbind(0)  # per-step views whose backward is one stack (u[t] would scatter into a full zero tensor per step)
        W_rec_t = self.W_rec.t()
        z = None
        zs = []
        for t in range(len(u)):
            if z is None:  # z_0 = 0
                v = u[0]
            else:
                zp = z.detach() if rule == "eprop" else z
                drive = torch.addmm(u[t], zp, W_rec_t, alpha=c)  # (1-a)(W_in x_t + W_rec z_{t-1})
                v = drive if a == 0.0 else torch.add(drive, v, alpha=a)
            z = torch.relu(v)
            zs.append(z)
        if self.mse:  # every step scored: one readout over all steps
            y = torch.matmul(torch.stack(zs), self.W_out.t()) + self.b_out
            loss = torch.mean((y - target) ** 2)
        else:  # last step scored: read out only there
            y = torch.addmm(self.b_out, z, self.W_out.t())
            loss = torch.nn.functional.cross_entropy(y, target)
        reg = 0.5 * self.l2 * (self.W_in.square().sum() + self.W_rec.square().sum() + self.W_out.square().sum())
        return loss, reg

    def batch(self):
        n = self.X.shape[0]
        idx = self.perm[(self.k * self.B + torch.arange(self.B)) % n]
        self.k += 1
        x = self.X[idx].transpose(0, 1)  # time-major, as the loop wants
        target = self.Y[idx].transpose(0, 1) if self.mse else self.labels[idx]
        return x, target

    def iteration(self, rule):
        x, target = self.batch()
        loss, reg = self.objective(x, target, rule)
        for p in self.params:
            p.grad = None
        (loss + reg).backward()
        with torch.no_grad():
            self.W_rec.grad.fill_diagonal_(0)
            for p in self.params:
                p.sub_(self.lr * p.grad)
        return loss.item()


def make(args, dtype=torch.float64):
    name, B, T, N, n_in, n_out, loss, leak, l2, lr, nex = args
    return Net(int(B), int(T), int(N), int(n_in), int(n_out), loss, float(leak), float(l2), float(lr), int(nex), dtype=dtype)


def blas():
    """The OpenBLAS torch runs on (libblas.so.3 is Debian's OpenBLAS; the soname is already loaded)."""
    try:
        import ctypes
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        version = lib.openblas_get_config().decode().split()[1]
        return "openblas %s core %s" % (version, lib.openblas_get_corename().decode())
    except (OSError, AttributeError, IndexError):
        return "unknown"


def check(path):
    """Our gradients (dumped by bench.c) against autograd on the same weights and batch."""
    raw = open(path, "rb").read()
    assert raw[:8] == b"CRBENCH1", "bad dump"
    B, T, N, n_in, n_out, mse, has_eprop, _ = np.frombuffer(raw, np.int32, 8, 8)
    leak, l2 = np.frombuffer(raw, np.float64, 2, 40)
    off = 56

    def take(count):
        nonlocal off
        a = np.frombuffer(raw, np.float64, count, off)
        off += 8 * count
        return torch.from_numpy(a.copy())

    n_params = N * n_in + N * N + n_out * N + n_out
    theta = take(n_params)
    x = take(T * B * n_in).reshape(T, B, n_in)
    target = take(T * B * n_out).reshape(T, B, n_out)
    mask = take(T * B).reshape(T, B)
    ours = {"bptt": take(n_params)}
    if has_eprop:
        ours["eprop"] = take(n_params)
    net = Net(int(B), int(T), int(N), int(n_in), int(n_out), "mse_all" if mse else "xent_last", float(leak), float(l2), 0.0, 1)
    with torch.no_grad():
        pos = 0
        for p in net.params:
            p.copy_(theta[pos:pos + p.numel()].reshape(p.shape))
            pos += p.numel()
    # The dumped batches are the bench task's: every step scored (mse) or the last step (xent).
    if not mse:
        assert torch.all(mask[:-1] == 0) and torch.all(mask[-1] == 1)
        target = target[-1].argmax(dim=1)
    out = []
    for rule in ("bptt", "eprop"):
        if rule not in ours:
            out.append("nan")
            continue
        loss, reg = net.objective(x, target, rule)
        grads = torch.autograd.grad(loss + reg, net.params)
        grads[1].fill_diagonal_(0)
        ref = torch.cat([g.reshape(-1) for g in grads])
        out.append("%.3g" % (torch.linalg.norm(ours[rule] - ref) / torch.linalg.norm(ref)).item())
    return " ".join(out)


def vm_hwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def peak(args):
    """Peak RSS (KiB) of a fresh process that runs 3 bptt iterations, and its RSS right after loading torch."""
    # VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's size (this server, torch loaded).
    code = ("import runpy; m = runpy.run_path(%r); base = m['vm_hwm_kb'](); n = m['make'](%r); "
            "[n.iteration('bptt') for _ in range(3)]; print(m['vm_hwm_kb'](), base)") % (os.path.abspath(__file__), list(args))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return " ".join(out[-2:])


def serve():
    nets = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd, args = words[0], words[1:]
        try:
            if cmd == "version":
                ans = torch.__version__
            elif cmd == "blas":
                ans = blas()
            elif cmd == "open":
                nets = {"f64": make(args, torch.float64), "f32": make(args, torch.float32)}
                for net in nets.values():
                    for rule in ("bptt", "eprop"):
                        for _ in range(2):
                            net.iteration(rule)
                ans = "ok"
            elif cmd == "time":
                # One cold iteration (right after the C side ran), then K back-to-back.
                warm = int(args[1])
                net = nets[args[2] if len(args) > 2 else "f64"]
                t0, c0 = time.perf_counter(), time.process_time()
                net.iteration(args[0])
                t1, c1 = time.perf_counter(), time.process_time()
                for _ in range(warm):
                    net.iteration(args[0])
                t2, c2 = time.perf_counter(), time.process_time()
                ans = "%.9f %.9f %.9f %.9f" % (t1 - t0, c1 - c0, (t2 - t1) / warm, (c2 - c1) / warm)
            elif cmd == "check":
                ans = check(args[0])
            elif cmd == "peak":
                ans = peak(args)
            elif cmd == "quit":
                break
            else:
                ans = "error: unknown command " + cmd
        except Exception as e:  # the C side prints it and stops
            ans = "error: %s: %s" % (type(e).__name__, str(e).replace("\n", " "))
        sys.stdout.write(ans + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve()
    else:
        sys.exit("usage: torch_ref.py serve   (driven by bench/bench.c; see bench/README.md)")
