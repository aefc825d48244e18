#!/bin/bash
# figures/sbatch.sh - a profile on a Slurm cluster where long-running
# processes on the login node are not allowed: make itself runs as a small
# batch job and submits every training run and curvature measurement as a
# job step of its own through srun (figures/README.md, "On a cluster").
#
#   sbatch figures/sbatch.sh                       # PROFILE=paper, 32 runs at a time
#   sbatch --ntasks=64 figures/sbatch.sh quick     # another profile, 64 at a time
#   PROFILE=paper RESULTS=/scratch/me/credit sbatch --export=ALL figures/sbatch.sh
#
# Resubmitting after a time limit is safe: make redoes only what is missing
# or stale, and a killed run resumes from its checkpoint.
#SBATCH --job-name=credit-figures
#SBATCH --ntasks=32
#SBATCH --cpus-per-task=1
#SBATCH --time=24:00:00
#SBATCH --output=credit-figures-%j.log
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
profile=${1:-${PROFILE:-paper}}
results=${RESULTS:-results}
# Build, fetch the data and install what is missing on the first node, then
# one job step per run (-n1 -c1 inside this allocation; --exact keeps steps
# from waiting for each other's CPUs).
make figures PROFILE="$profile" RESULTS="$results" FIG_JOBS="-j${SLURM_NTASKS:-1}" \
    LAUNCH="srun --exact -n1 -c${SLURM_CPUS_PER_TASK:-1}"
