#!/usr/bin/env bash
# The GPU checks of one lent device session (an H100/H200 without internet), in one command:
#   A. the all-in-one Colab notebook, Run All with the t4 preset (benchmarks/colab_on_gpu.py)
#   B. training throughput, Unsloth vs plain PEFT, TinyLlama-1.1B's shape in 4-bit (T4 batch shape)
#   C. Llama-3.1-8B's shape in 4-bit with Unsloth: peak GPU memory (does it fit a 16 GB T4?) and speed
# Prepared here (see docs/benchmarks.md, "GPU session"):
#   bash ../shared/gpu/pack_wheels.sh peft==0.21.2 xgrammar==0.2.8 apache-tvm-ffi==0.1.15.post2 \
#        gguf==0.19.0 json5 nest-asyncio structlog            # -> .whl/ (training stack)
#   python3 -m pip download --only-binary=:all: --python-version 3.12 --implementation cp \
#        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
#        -d .nbw papermill==2.7.0 ipykernel ipywidgets==8.1.9        # -> .nbw/ (Run All: papermill, a kernel)
#   then delete from .nbw what the GPU machine already has (its package list: attrs, certifi, click,
#   idna, packaging, psutil, pygments, python-dateutil, pyyaml, requests, tqdm, typing_extensions, urllib3, ...)
#   and keep both folders out of git (.whl/ is in .gitignore; add /.nbw/ to .git/info/exclude).
#   (2026-11-29: jupytext too, which lib.bundle imports; papermill==2.7.0 ipykernel ipywidgets==8.1.9 jupytext)
# Run there with carry [".whl", ".nbw"]: bash benchmarks/gpu_session.sh   (results in $OUT)
#   or `bash benchmarks/gpu_session.sh fp16`: A and C on a T4's fp16 branch (benchmarks/t4_dtype/)
set -uo pipefail
OUT=${OUT:-outputs/gpu_session}
mkdir -p "$OUT"
exec > >(tee "$OUT/session.log") 2>&1
start=$(date +%s)
left() { echo $(( ${BUDGET_S:-520} - ($(date +%s) - start) )); }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl .nbw/*.whl || exit 1
# no internet there: the Hub is never asked (Unsloth would wait for it)
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 UNSLOTH_DISABLE_STATISTICS=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, transformers, trl, peft, bitsandbytes, unsloth, unsloth_zoo, xgrammar; print({m.__name__: getattr(m, '__version__', '?') for m in (torch, transformers, trl, peft, bitsandbytes, unsloth, unsloth_zoo, xgrammar)}, torch.cuda.get_device_name(0))"
if [ "${1:-}" = fp16 ]; then
  # A T4's precision branch (Colab's free GPU has no bf16): fp16 weights, fp16=True and a GradScaler,
  # on this bf16 GPU by changing only the answers to "bf16 supported?" (benchmarks/t4_dtype/).
  echo "== A16: Colab Run All, t4 preset, fp16 branch, merged export · $(left) s left"
  timeout $(( $(left) - 170 )) python3 benchmarks/colab_on_gpu.py --model tiny --out "$OUT/colab_fp16" --max-steps 60 --rows 24 --grammar-rows 8 --fp16 --export-merged
  echo "A16 exit $?"
  echo "== C16: random-8b 4-bit, Unsloth, fp16 branch · $(left) s left"
  PYTHONPATH=$PWD/benchmarks/t4_dtype:/tmp/site:$PWD TASKAGENT_EMULATE_T4_DTYPE=1 timeout $(( $(left) - 10 )) python3 benchmarks/train_throughput.py --model random-8b --4bit --backends unsloth --steps 5 --batch-size 2 --grad-accum 4 --seq-len 2048
  echo "C16 exit $?"
  echo "done in $(( $(date +%s) - start )) s"
  exit 0
fi
echo "== A: Colab Run All (t4 preset, model tiny) · $(left) s left"
timeout $(( $(left) - 200 )) python3 benchmarks/colab_on_gpu.py --model tiny --out "$OUT/colab" --max-steps 60 --rows 24 --grammar-rows 8
echo "A exit $?"
echo "== B: Unsloth vs PEFT, random-1b 4-bit · $(left) s left"
PYTHONPATH=/tmp/site:$PWD timeout $(( $(left) - 150 )) python3 benchmarks/train_throughput.py --model random-1b --4bit --steps 12 --batch-size 2 --grad-accum 4 --seq-len 2048
echo "B exit $?"
if [ "$(left)" -gt 150 ]; then
  echo "== C: random-8b 4-bit, Unsloth · $(left) s left"
  PYTHONPATH=/tmp/site:$PWD timeout $(( $(left) - 10 )) python3 benchmarks/train_throughput.py --model random-8b --4bit --backends unsloth --steps 5 --batch-size 2 --grad-accum 4 --seq-len 2048
  echo "C exit $?"
else
  echo "== C skipped: $(left) s left"
fi
echo "done in $(( $(date +%s) - start )) s"
