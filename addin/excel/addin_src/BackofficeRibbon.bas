Attribute VB_Name = "BackofficeRibbon"
' One callback per ribbon button (customUI.xml). Each runs one function of addin.excel.macros
' through xlwings' RunPython on the active workbook. Kept ASCII-only: the VBA project's code page
' is not the user's, so Japanese text lives in customUI.xml and in Python.
Option Explicit

Private Const MACROS As String = "import addin.excel.macros as bo; bo."

Sub OnValidate(control As IRibbonControl)
    RunPython MACROS & "validate_book()"
End Sub

Sub OnPayroll(control As IRibbonControl)
    Dim payMonth As String
    payMonth = InputBox("Month to pay (YYYY-MM). Leave empty to use the Control sheet.", "backoffice", "")
    RunPython MACROS & "run_payroll(" & PyText(payMonth) & ")"
End Sub

Sub OnInvoices(control As IRibbonControl)
    RunPython MACROS & "issue_invoices()"
End Sub

Sub OnStock(control As IRibbonControl)
    RunPython MACROS & "show_stock()"
End Sub

Sub OnNencho(control As IRibbonControl)
    Dim taxYear As String
    taxYear = InputBox("Year to adjust (YYYY). Leave empty to use the Control sheet.", "backoffice", "")
    RunPython MACROS & "run_nencho(" & PyText(taxYear) & ")"
End Sub

Sub OnBooks(control As IRibbonControl)
    ' The period (last month, unless changed) and the accounting software's import format.
    ' Cancel at a date prompt posts nothing.
    Dim firstDay As String, lastDay As String, exportFormat As String
    firstDay = InputBox("First day (YYYY-MM-DD).", "backoffice", _
                        Format$(DateSerial(Year(Date), Month(Date) - 1, 1), "yyyy-mm-dd"))
    If firstDay = "" Then Exit Sub
    lastDay = InputBox("Last day (YYYY-MM-DD).", "backoffice", _
                       Format$(DateSerial(Year(Date), Month(Date), 0), "yyyy-mm-dd"))
    If lastDay = "" Then Exit Sub
    exportFormat = InputBox("Import file for: yayoi, mf or freee. Leave empty for none.", "backoffice", "")
    RunPython MACROS & "run_books(" & PyText(firstDay) & ", " & PyText(lastDay) & ", " & PyWord(exportFormat) & ")"
End Sub

Sub OnReceipts(control As IRibbonControl)
    RunPython MACROS & "match_receipts()"
End Sub

Sub OnReconcile(control As IRibbonControl)
    RunPython MACROS & "reconcile_now()"
End Sub

Sub OnClearHighlights(control As IRibbonControl)
    RunPython MACROS & "clear_highlights()"
End Sub

Sub OnCheckSettings(control As IRibbonControl)
    RunPython MACROS & "check_settings()"
End Sub

Sub OnImportFunctions(control As IRibbonControl)
    ' xlwings' own route: write the BO_ wrappers into this add-in and register their descriptions
    ' (needs "Trust access to the VBA project object model"), then keep them by saving the add-in.
    ImportPythonUDFsToAddin
    ThisWorkbook.Save
End Sub

Private Function PyText(ByVal typed As String) As String
    ' A Python string literal of what the user typed, keeping only characters a date, month or year can hold.
    Dim i As Long, c As String, kept As String
    For i = 1 To Len(typed)
        c = Mid$(typed, i, 1)
        If c Like "[0-9./-]" Then kept = kept & c
    Next i
    PyText = "'" & kept & "'"
End Function

Private Function PyWord(ByVal typed As String) As String
    ' A Python string literal of what the user typed, keeping only lower-case letters (a format name).
    Dim i As Long, c As String, kept As String
    typed = LCase$(typed)
    For i = 1 To Len(typed)
        c = Mid$(typed, i, 1)
        If c Like "[a-z]" Then kept = kept & c
    Next i
    PyWord = "'" & kept & "'"
End Function
