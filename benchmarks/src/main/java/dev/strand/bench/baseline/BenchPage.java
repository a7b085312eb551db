package dev.strand.bench.baseline;

/** The small HTML page a tab starts from, carrying its view id the way Strand's pages do. */
public final class BenchPage {

    private BenchPage() {
    }

    public static String html(String viewId) {
        return """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><meta name="strand-view" content="%s"><title>Strand bench</title></head>
                <body><ul id="chunks"></ul></body></html>
                """.formatted(viewId);
    }
}
