package dev.strand.bench;

import org.jspecify.annotations.Nullable;

/**
 * The start form, {@code rate=R&count=C&size=S}, as the Spring targets bind it: with {@code @ModelAttribute},
 * the way a WebFlux controller reads a posted form (Strand's page events post forms). The Strand target and the
 * WebFlux baseline bind it the same way, so that the binding's cost is the same on both sides.
 */
public record StartForm(@Nullable String rate, @Nullable String count, @Nullable String size) {

    public StartRequest request() {
        return StartRequest.from(name -> switch (name) {
            case "rate" -> rate;
            case "count" -> count;
            case "size" -> size;
            default -> null;
        });
    }
}
