package dev.strand.test;

import org.jspecify.annotations.Nullable;

/**
 * A flash message a {@link TestTab}'s stream received.
 *
 * @param kind its kind, such as {@code info} or {@code error}
 * @param message its text, or {@code null} when the kind was cleared
 */
public record ReceivedFlash(String kind, @Nullable String message) {
}
