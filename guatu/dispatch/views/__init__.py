"""Dispatch pages (三级调度), by page family: problems, supervision orders (督办), meetings, my work.

Every view: rows through the access gateway → form → service → redirect with a message. Services check the
actor again and raise PermissionDenied (a 403 page) or ValidationError (shown on the form, nothing written).
"""
