package dev.strand.bench.client;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A server under test: its base URL and the paths of the page, its event stream, and the task
 * start and cancel endpoints, plus an optional stats endpoint answering {@code ProcessStats} JSON.
 */
record Target(String name, URI base, String page, String stream, String start, String cancel,
        @Nullable String stats) {
}
