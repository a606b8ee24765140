"""Readers: turn the spreadsheets a trust holds into :class:`explorer.core.surveydata.SurveyData`.

Qt-free. Each reader reports progress through a callback and never modifies the user's file.
"""
