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
    ' A Python string literal of what the user typed, keeping only characters a month can hold.
    Dim i As Long, c As String, kept As String
    For i = 1 To Len(typed)
        c = Mid$(typed, i, 1)
        If c Like "[0-9./-]" Then kept = kept & c
    Next i
    PyText = "'" & kept & "'"
End Function
