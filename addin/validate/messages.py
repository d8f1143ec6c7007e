"""What each issue code says, in Japanese and English. Placeholders: {label} (the column's name in
the message's language), {value}, {min}, {max}, {other}, {detail}."""

MESSAGES: dict[str, tuple[str, str]] = {
    # unusable input (fatal)
    "book_missing": ("{book} が見つかりません", "{book} was not found"),
    "book_unreadable": ("{book} を開けません: {detail}", "{book} cannot be opened: {detail}"),
    "book_encrypted": (
        "{book} はパスワードで保護されています。保護を解除して保存してください",
        "{book} is password-protected; save it without a password",
    ),
    "sheet_missing": ("シート「{other}」がありません", "sheet '{other}' is missing"),
    "header_missing": ("見出し行が見つかりません（空のシートです）", "no header row found (the sheet is empty)"),
    "column_missing": (
        "必須の列「{label}」がありません（{other}行目を見出し行としました）",
        "required column '{label}' is missing (row {other} was taken as the header)",
    ),
    "header_not_found": (
        "見出し行が見つかりません: {other}行目に既知の列名がありません（見出しらしい行: {detail}行目「{value}」）。列名（社員番号 など）を1行にまとめてください",
        "no header row found: rows {other} hold no known column name (the likeliest header, row {detail}: '{value}'); put the column names (e.g. 社員番号) in one row",
    ),
    "book_ambiguous": (
        "同じ名前のブックが複数あります: {detail}。使わない方を移動してください",
        "more than one workbook has this name: {detail}; move the one not in use",
    ),
    "sheet_ambiguous": (
        "「{other}」に当たるシートまたはテーブルが複数あります: {detail}。1つにしてください",
        "more than one sheet or Table could be '{other}': {detail}; keep one",
    ),
    "sheet_too_large": ("シートが大きすぎるため読み込みません: {detail}", "the sheet is too large to read: {detail}"),
    "formula_not_cached": (
        "{label}の数式に計算結果が保存されていません（{value}件）。Excelで開いて保存するか、--recalculate を付けて実行してください",
        "{label}: {value} formula(s) have no saved result; open and save the book in Excel, or run with --recalculate",
    ),
    "recalculate_failed": ("再計算できません: {detail}", "cannot recalculate: {detail}"),
    # columns
    "unknown_column": (
        "列「{value}」はどの項目にも当たらないため読み込んでいません。{other}",
        "column '{value}' matches no known column and is not read. {other}",
    ),
    "unknown_money_column": (
        "列「{value}」は金額の列に見えますが、どの項目にも当たりません（支払う処理は止まります）。{other}",
        "column '{value}' looks like money but matches no known column (runs that pay stop). {other}",
    ),
    "duplicate_column": (
        "{label}の列が2つあります（「{value}」、{other}と同じ項目）。1つにしてください",
        "two columns are {label} ('{value}', same as {other}); keep one",
    ),
    "outside_data": (
        "データから離れたセルに値があります「{value}」。表の中に移すか削除してください",
        "a value far from the data: '{value}'; move it into the table or delete it",
    ),
    "errors_unseen": (
        "この形式のブックではエラー値（#N/A など）が空欄と区別できません。.xlsx で保存するか、--recalculate を付けて実行してください",
        "in this workbook format an error value (#N/A …) cannot be told from an empty cell; save as .xlsx, or run with --recalculate",
    ),
    "notes_ignored": (
        "合計行（{other}行目）の下の{value}行は注記として読み込んでいません",
        "{value} row(s) under the totals row {other} were taken as notes and not read",
    ),
    "sheet_full": (
        "データがExcelの最終行（1,048,576行）まで達しています。途中で切れている可能性があるため読み込みません",
        "data reach Excel's last row (1,048,576); the sheet is probably truncated and was not read",
    ),
    # values
    "error_value": (
        "{label}がエラー値「{value}」です。式や参照を直してください",
        "{label} is the error value '{value}'; fix the formula or reference",
    ),
    "code_padded": (
        "{label}が数値として入力されていたため、先頭に0を補って読みました（{value}）。文字列で入力してください",
        "{label} was typed as a number; read with its leading zeros restored ({value}); type it as text",
    ),
    "required": ("{label}が入力されていません", "{label} is required"),
    "not_a_number": ("{label}「{value}」は数値ではありません", "{label} '{value}' is not a number"),
    "not_an_integer": ("{label}「{value}」は整数ではありません", "{label} '{value}' is not a whole number"),
    "not_a_date": ("{label}「{value}」は日付として読めません", "{label} '{value}' is not a date"),
    "number_out_of_range": (
        "{label}「{value}」は大きすぎて扱えません（±9,223,372,036,854,775,807 まで）",
        "{label} '{value}' is too large to handle (up to ±9,223,372,036,854,775,807)",
    ),
    "date_out_of_range": (
        "{label}「{value}」は扱える日付（1678年〜2261年）の外です。終わりのない期限は空欄にしてください",
        "{label} '{value}' is outside the dates handled (years 1678–2261); leave an open-ended date empty",
    ),
    "not_a_boolean": ("{label}「{value}」は はい/いいえ として読めません", "{label} '{value}' is not yes/no"),
    "not_in_enum": ("{label}「{value}」は選択肢（{other}）にありません", "{label} '{value}' is not one of {other}"),
    "below_min": ("{label}「{value}」は {min} 以上にしてください", "{label} '{value}' is below the minimum {min}"),
    "above_max": ("{label}「{value}」は {max} 以下にしてください", "{label} '{value}' is above the maximum {max}"),
    "too_many_decimals": (
        "{label}「{value}」は小数点以下 {decimals} 桁までにしてください（それより細かい値は計算に使えません）",
        "{label} '{value}' has more than {decimals} decimals (the calculation keeps {decimals})",
    ),
    "too_long": ("{label}は{max}文字以内にしてください", "{label} is longer than {max} characters"),
    "bad_pattern": (
        "{label}「{value}」の形式が正しくありません（{other}）",
        "{label} '{value}' has the wrong format ({other})",
    ),
    "duplicate": (
        "{label}「{value}」が重複しています（{other}行目と同じ）",
        "{label} '{value}' is a duplicate (same as row {other})",
    ),
    "duplicate_key": (
        "{label}の組み合わせが重複しています（{other}行目と同じ）",
        "the combination {label} repeats row {other}",
    ),
    "my_number_check_digit": ("マイナンバーのチェックデジットが不正です", "My Number check digit is wrong"),
    "my_number_format": ("マイナンバーは12桁の数字です", "My Number must be 12 digits"),
    "registration_number_format": (
        "登録番号は T と13桁の数字です（例: T1234567890123）",
        "registration number must be T followed by 13 digits",
    ),
    "registration_number_check_digit": (
        "登録番号（法人番号）のチェックデジットが不正です",
        "registration number (corporate number) check digit is wrong",
    ),
    "corporate_number_check_digit": ("法人番号のチェックデジットが不正です", "corporate number check digit is wrong"),
    "zengin_kana": (
        "{label}に銀行で使えない文字があります: {other}（半角カナ・英大文字・数字のみ）",
        "{label} has characters banks do not accept: {other} (half-width kana, A-Z, digits only)",
    ),
    # rows and sheets
    "date_order": ("{label}が{other}より前になっています", "{label} is before {other}"),
    "min_years_between": (
        "{other}から{label}まで{min}年に達していません",
        "{label} is less than {min} years after {other}",
    ),
    "required_when": ("{other}のため{label}が必要です", "{label} is required because {other}"),
    "all_or_none": ("口座情報が一部だけ入力されています（{other}）", "bank details are incomplete ({other})"),
    "not_greater": ("{label}が{other}を超えています", "{label} exceeds {other}"),
    "not_positive": ("{label}は正の数にしてください（{other}）", "{label} must be positive ({other})"),
    "inconsistent_in_key": ("同じ{other}の行で{label}が異なります", "{label} differs between rows of the same {other}"),
    "unknown_reference": ("{label}「{value}」は {other} にありません", "{label} '{value}' is not in {other}"),
    "reference_mismatch": (
        "{label}「{value}」が参照先（{other}）と一致しません",
        "{label} '{value}' does not match {other}",
    ),
    "inactive_employee": (
        "社員「{value}」はこの月に在籍していません（入社・退職日を確認）",
        "employee '{value}' is not employed in this month (check hire/leave dates)",
    ),
    "too_many": ("同じ種類の問題があと{other}件あります（表示を省略）", "{other} more issues of this kind not listed"),
}


def render(code: str, lang: str, **values) -> str:
    ja, en = MESSAGES[code]
    template = en if lang == "en" else ja
    return template.format_map(_Blank(values))


class _Blank(dict):
    def __missing__(self, key):
        return ""
