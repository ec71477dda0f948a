//! A CEA-608 caption memory: 15 rows of 32 columns (CTA-608-E §4.5). Decoders keep two, the
//! displayed and the non-displayed memory; pop-on captions are built in the second and swapped.

pub(super) const ROWS: usize = 15;
pub(super) const COLUMNS: usize = 32;

/// `'\0'` is an empty cell (nothing drawn; a space between characters when rendered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Memory {
    cells: [[char; COLUMNS]; ROWS],
}

impl Default for Memory {
    fn default() -> Self {
        Memory {
            cells: [['\0'; COLUMNS]; ROWS],
        }
    }
}

impl Memory {
    pub(super) fn clear(&mut self) {
        *self = Memory::default();
    }

    /// Nothing drawn but spaces.
    pub(super) fn is_empty(&self) -> bool {
        self.cells.iter().flatten().all(|&c| is_blank(c))
    }

    /// Writes `c` at `row`/`col` (columns past the last overwrite the last, as the standard
    /// says).
    pub(super) fn set(&mut self, row: usize, col: usize, c: char) {
        if let Some(cell) = self
            .cells
            .get_mut(row)
            .and_then(|r| r.get_mut(col.min(COLUMNS - 1)))
        {
            *cell = c;
        }
    }

    /// Empties `row` from `col` to its end (delete to end of row).
    pub(super) fn clear_from(&mut self, row: usize, col: usize) {
        if let Some(r) = self.cells.get_mut(row) {
            for cell in r.iter_mut().skip(col) {
                *cell = '\0';
            }
        }
    }

    pub(super) fn clear_row(&mut self, row: usize) {
        self.clear_from(row, 0);
    }

    /// Roll-up: the `depth` rows ending at `base` move up one, `base` is emptied, and every
    /// row outside the window is emptied.
    pub(super) fn roll_up(&mut self, base: usize, depth: usize) {
        let top = (base + 1).saturating_sub(depth);
        for row in top..base {
            if let Some(below) = self.cells.get(row + 1).copied() {
                if let Some(r) = self.cells.get_mut(row) {
                    *r = below;
                }
            }
        }
        self.clear_row(base);
        self.keep_window(base, depth);
    }

    /// Empties the rows outside the roll-up window of `depth` rows ending at `base`.
    pub(super) fn keep_window(&mut self, base: usize, depth: usize) {
        let top = (base + 1).saturating_sub(depth);
        for row in (0..ROWS).filter(|r| *r < top || *r > base) {
            self.clear_row(row);
        }
    }

    /// Moves the roll-up window of `depth` rows ending at `from` to end at `to`.
    pub(super) fn move_window(&mut self, from: usize, to: usize, depth: usize) {
        if from == to {
            return;
        }
        let old = self.cells;
        self.clear();
        for i in 0..depth.min(from + 1).min(to + 1) {
            if let (Some(src), Some(dst)) = (old.get(from - i), self.cells.get_mut(to - i)) {
                *dst = *src;
            }
        }
    }

    /// The text shown: rows with characters from the top, each without the spaces around it,
    /// joined by `\n`; and the first such row. `None` when nothing shows.
    pub(super) fn render(&self) -> Option<(String, usize)> {
        let mut text = String::new();
        let mut first = None;
        for (i, row) in self.cells.iter().enumerate() {
            let (Some(a), Some(b)) = (
                row.iter().position(|&c| !is_blank(c)),
                row.iter().rposition(|&c| !is_blank(c)),
            ) else {
                continue;
            };
            if first.is_some() {
                text.push('\n');
            }
            first.get_or_insert(i);
            for &c in row.get(a..=b).unwrap_or(&[]) {
                text.push(if c == '\0' { ' ' } else { c });
            }
        }
        first.map(|row| (text, row))
    }
}

fn is_blank(c: char) -> bool {
    c == '\0' || c == ' '
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(m: &mut Memory, row: usize, text: &str) {
        for (i, c) in text.chars().enumerate() {
            m.set(row, i, c);
        }
    }

    #[test]
    fn render_trims_rows_and_skips_empty_ones() {
        let mut m = Memory::default();
        write(&mut m, 12, "  top ");
        write(&mut m, 14, "a");
        m.set(14, 3, 'b');
        assert_eq!(m.render(), Some(("top\na  b".to_string(), 12)));
        m.clear();
        assert_eq!(m.render(), None);
        assert!(m.is_empty());
    }

    #[test]
    fn roll_up_moves_the_window_and_drops_the_top() {
        let mut m = Memory::default();
        write(&mut m, 13, "one");
        write(&mut m, 14, "two");
        m.roll_up(14, 2);
        assert_eq!(m.render(), Some(("two".to_string(), 13)));
        write(&mut m, 14, "three");
        m.move_window(14, 5, 2);
        assert_eq!(m.render(), Some(("two\nthree".to_string(), 4)));
    }

    #[test]
    fn writing_past_the_last_column_overwrites_it() {
        let mut m = Memory::default();
        m.set(0, 40, 'x');
        m.set(0, 31, 'y');
        m.set(20, 0, 'z');
        assert_eq!(m.render(), Some(("y".to_string(), 0)));
    }
}
