#!/bin/sh
# Makes vedlagt.pdf: an invoice in PDF, written by LibreOffice, with a
# customer list attached by poppler's pdfattach (Debian's libreoffice-writer-nogui
# and poppler-utils), two producers that are not datakart's.
set -e
printf 'Faktura 2026-11\nKunde: Kari Nordmann\nSe vedlagt kundeliste.\n' > faktura.txt
printf 'fødselsnummer;navn\n10048744732;Kari Nordmann\n' > kunder.csv
soffice --headless --convert-to pdf faktura.txt
pdfattach faktura.pdf kunder.csv vedlagt.pdf
