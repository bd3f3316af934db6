"""Running a queue's jobs in the test process: a real RQ worker (in-process, burst), each job
required to finish — including the jobs the first ones queue."""

from rq import Queue, SimpleWorker


def run_queue(redis_client, name: str) -> list:
    queue = Queue(name, connection=redis_client)
    queued = queue.jobs
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    for job in queued:
        assert job.get_status(refresh=True) == "finished", job.latest_result()
    return queued
