package dev.strand.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strand.bench.jmh.RowsPage.Patch;
import dev.strand.bench.jmh.RowsPage.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link RowsRenderBenchmark} measures: the patches one row's change sends, for each variant. */
class RowsPageTest {

    @Test
    void aRowsOwnAssignMorphsItsCellAlone() throws Exception {
        try (RowsPage page = RowsPage.open(Variant.ROW_CELL)) {
            String id = RowsPage.id(page.nextSeq() % RowsPage.ROWS);
            List<Patch> patches = patches(page);
            assertThat(patches).singleElement().satisfies(patch -> {
                assertThat(patch.target()).isEqualTo("cell-" + id);
                assertThat(patch.op()).isEqualTo("morph");
                assertThat(patch.html()).startsWith("<td id=\\\"cell-" + id + "\\\"").contains("<span>v" + (page.nextSeq() - 1) + "</span>")
                        .doesNotContain("<tr");
            });
        }
    }

    /**
     * Every change, not only the first after the page's render: each render's rows are what the next one is
     * compared with (on commit 46435e8 they were not, and the n-th change resent the n-1 rows changed before).
     */
    @Test
    void everyChangedRowInAKeyedListIsMorphedAlone() throws Exception {
        try (RowsPage page = RowsPage.open(Variant.ROW_DIFF)) {
            for (int i = 0; i < 3; i++) {
                assertOneRowMorphed(page);
            }
        }
    }

    private static void assertOneRowMorphed(RowsPage page) throws Exception {
        String id = RowsPage.id(page.nextSeq() % RowsPage.ROWS);
        assertThat(patches(page)).singleElement().satisfies(patch -> {
            assertThat(patch.target()).isEqualTo("row-" + id);
            assertThat(patch.op()).isEqualTo("morph");
            assertThat(patch.html()).startsWith("<tr id=\\\"row-" + id + "\\\">")
                    .contains(">v" + (page.nextSeq() - 1) + "<");
            assertThat(patch.html().split("<tr", -1)).hasSize(2);
        });
    }

    @Test
    void aChangedRowInAListWithoutIdsSendsTheWholeList() throws Exception {
        try (RowsPage page = RowsPage.open(Variant.WHOLE_LIST)) {
            assertThat(patches(page)).singleElement().satisfies(patch -> {
                assertThat(patch.target()).isEqualTo("rows");
                assertThat(patch.op()).isEqualTo("morph");
                assertThat(patch.html().split("<tr", -1)).hasSize(RowsPage.ROWS + 1);
            });
        }
    }

    @Test
    void aRowsPatchIsAFractionOfTheWholeList() throws Exception {
        int cell = bytes(Variant.ROW_CELL);
        int row = bytes(Variant.ROW_DIFF);
        int whole = bytes(Variant.WHOLE_LIST);
        // a row is 1/100 of the list: with the patch's own JSON around it, well under 1/20
        assertThat(row).isPositive().isLessThan(whole / 20);
        assertThat(cell).isPositive().isLessThan(row);
    }

    private static int bytes(Variant variant) throws Exception {
        try (RowsPage page = RowsPage.open(variant)) {
            return patches(page).stream().mapToInt(Patch::bytes).sum();
        }
    }

    private static List<Patch> patches(RowsPage page) throws Exception {
        return page.change().stream().map(Patch::of).toList();
    }
}
