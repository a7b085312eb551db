package dev.strand.bench;

/**
 * The body of every bench task: pushes {@code count} chunks at {@code rate} per second on an
 * absolute schedule (a late chunk is sent at once, the next ones keep their slots), or sleeps until
 * interrupted when the request {@linkplain StartRequest#sleeps() sleeps}.
 */
public final class ChunkTask {

    private ChunkTask() {
    }

    /**
     * Runs the task on the calling thread.
     *
     * @throws InterruptedException when the task is cancelled
     */
    public static void run(StartRequest request, Push push) throws InterruptedException {
        if (request.sleeps()) {
            Thread.sleep(Long.MAX_VALUE);
            return;
        }
        double periodNanos = 1e9 / request.rate();
        long start = System.nanoTime();
        for (long seq = 1; seq <= request.count(); seq++) {
            long wait = start + (long) ((seq - 1) * periodNanos) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (!push.push(Payload.text(seq, request.size()))) {
                return;
            }
        }
    }

    /** Where a task sends its chunks. */
    @FunctionalInterface
    public interface Push {

        /**
         * Sends one chunk's text.
         *
         * @return {@code false} when the stream is gone and the task should stop
         */
        boolean push(String text) throws InterruptedException;
    }
}
