-- The test cluster's client filter (tests/slurm/cluster.sh installs it beside slurm.conf): a job
-- submitted from outside a job with LVEBM_JOB_SCRATCH=1 in its environment runs in a fresh, empty
-- folder of its own instead of the folder sbatch names (-D), as a pod starts on Kubernetes. The
-- storage tests set it (tests/test_slurm.py): each job then sees the workflow's sources (Snakemake
-- deploys them) and the inputs it declares (downloaded from S3), and nothing else. Without the
-- variable, and for the steps inside a job (srun, SLURM_JOB_ID set), nothing changes.

function slurm_cli_setup_defaults(options, early_pass)
    return slurm.SUCCESS
end

function slurm_cli_pre_submit(options, pack_offset)
    if os.getenv("LVEBM_JOB_SCRATCH") == "1" and os.getenv("SLURM_JOB_ID") == nil then
        local handle = io.popen("mktemp -d /tmp/lvebm-job.XXXXXX")
        local folder = handle:read("*l")
        handle:close()
        if folder == nil or folder == "" then
            slurm.log_error("lvebm cli_filter: mktemp -d failed")
            return slurm.ERROR
        end
        options["chdir"] = folder
    end
    return slurm.SUCCESS
end

function slurm_cli_post_submit(offset, job_id, step_id)
    return slurm.SUCCESS
end
