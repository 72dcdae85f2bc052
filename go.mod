module github.com/incidentbot/incidentbot

go 1.26.8
